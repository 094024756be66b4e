/**
 * Background work that must not hold up accepting the next comment (reactions, placeholders),
 * run one task at a time, in order: GitHub asks integrations not to send writes concurrently.
 */
export class TaskQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.onError = onError;
  }

  push(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(this.onError);
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }
}
