/**
 * Accepts gateway events one at a time, in the order Discord sent them, retrying a failed accept
 * a few times with backoff: the gateway does not deliver an event again once we received it, so
 * giving up at the first error (a briefly busy store) would lose the message.
 */
import type { Logger } from "../../core/log.ts";

export class SerialRetryQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly log: () => Logger;
  private readonly delaysMs: number[];

  constructor(log: () => Logger, delaysMs: number[] = [250, 1_000, 3_000]) {
    this.log = log;
    this.delaysMs = delaysMs;
  }

  push(label: string, task: () => Promise<unknown>): void {
    this.tail = this.tail.then(() => this.run(label, task));
  }

  /** Resolves once everything pushed so far has finished. */
  drain(): Promise<void> {
    return this.tail;
  }

  private async run(label: string, task: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await task();
        return;
      } catch (error) {
        const delay = this.delaysMs[attempt];
        if (delay === undefined) {
          this.log().error("Discord event could not be accepted and is lost", { event: label, attempts: attempt + 1, error });
          return;
        }
        this.log().warn("Discord event not accepted yet; retrying", { event: label, attempt: attempt + 1, error });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
