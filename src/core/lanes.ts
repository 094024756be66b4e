/**
 * Session lanes: exactly one turn per session at a time, in arrival order, and at most
 * `concurrency` turns across all sessions. A lane runs one turn per slot and then goes to the back
 * of the ready queue, so one chatty session cannot starve the others. A wake-up that arrives while
 * a session's turn runs is remembered, so no message is stranded between the last dequeue and
 * the lane going idle.
 */

export interface LaneOptions {
  concurrency: number;
  /** Run at most one turn for the session; resolve true if there was work, false if its inbox was empty. */
  runTurn: (sessionId: string) => Promise<boolean>;
  onError: (sessionId: string, error: unknown) => void;
}

type LaneState = "queued" | "running";

export class SessionLanes {
  private readonly state = new Map<string, LaneState>();
  /** Sessions woken while their turn was running: check their inbox again afterwards. */
  private readonly wokenWhileRunning = new Set<string>();
  private readonly ready: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly options: LaneOptions;
  private active = 0;
  private stopped = false;

  constructor(options: LaneOptions) {
    this.options = options;
  }

  /** There may be pending work for this session. */
  wake(sessionId: string): void {
    if (this.stopped) return;
    const state = this.state.get(sessionId);
    if (state === "running") this.wokenWhileRunning.add(sessionId);
    if (state !== undefined) return;
    this.state.set(sessionId, "queued");
    this.ready.push(sessionId);
    this.pump();
  }

  /**
   * Run the session now, past the concurrency cap: for a sub-agent a running turn waits on.
   * Queuing it behind the cap could deadlock, since the waiting turn holds a slot itself.
   */
  wakeNested(sessionId: string): void {
    if (this.stopped) return;
    const state = this.state.get(sessionId);
    if (state === "running") {
      this.wokenWhileRunning.add(sessionId);
      return;
    }
    if (state === "queued") this.ready.splice(this.ready.indexOf(sessionId), 1);
    this.startRun(sessionId);
  }

  isRunning(sessionId: string): boolean {
    return this.state.get(sessionId) === "running";
  }

  get activeTurns(): number {
    return this.active;
  }

  get queuedSessions(): number {
    return this.ready.length;
  }

  /** Stop starting turns and wait for the running ones to finish. */
  async drain(): Promise<void> {
    this.stopped = true;
    this.ready.length = 0;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (!this.stopped && this.active < this.options.concurrency && this.ready.length > 0) {
      this.startRun(this.ready.shift()!);
    }
  }

  private startRun(sessionId: string): void {
    this.state.set(sessionId, "running");
    this.active++;
    const run = this.runOne(sessionId);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async runOne(sessionId: string): Promise<void> {
    let hadWork = false;
    try {
      hadWork = await this.options.runTurn(sessionId);
    } catch (error) {
      this.options.onError(sessionId, error);
      // A failing store or agent must not leave the session idle with work pending: look again soon.
      setTimeout(() => this.wake(sessionId), 1000).unref();
    } finally {
      this.active--;
      const wokeAgain = this.wokenWhileRunning.delete(sessionId);
      this.state.delete(sessionId);
      if (hadWork || wokeAgain) this.wake(sessionId);
      this.pump();
    }
  }
}
