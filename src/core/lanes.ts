/**
 * Session lanes: exactly one turn per session at a time, in arrival order, and at most
 * `concurrency` turns across all sessions. A lane runs one turn per slot and then goes to the back
 * of the ready queue, so one chatty session cannot starve the others. A wake-up that arrives while
 * a session's turn runs is remembered, so no message is stranded between the last dequeue and
 * the lane going idle.
 *
 * Across gateways sharing a store, a session runs only under its lane lease (lane-lease.ts). The
 * lease is kept while the session has work and released when its inbox is found empty; then the
 * inbox is checked once more, because another gateway may have accepted a message for it while
 * we held the lease (its own wake-up found the lane taken and left the message to us).
 */
import type { LaneLease } from "./lane-lease.ts";

export interface LaneOptions {
  concurrency: number;
  /** Run at most one turn for the session; resolve true if there was work, false if its inbox was empty. */
  runTurn: (sessionId: string, lease: LaneLease | undefined) => Promise<boolean>;
  onError: (sessionId: string, error: unknown) => void;
  /** Leases in the shared store; without them lanes are this process's alone. */
  leases?: {
    acquire: (sessionId: string) => Promise<LaneLease | undefined>;
    /** Whether the session has pending messages (the check after a release). */
    hasPending: (sessionId: string) => Promise<boolean>;
  };
}

type LaneState = "queued" | "running";

export class SessionLanes {
  private readonly state = new Map<string, LaneState>();
  /** Sessions woken while their turn was running: check their inbox again afterwards. */
  private readonly wokenWhileRunning = new Set<string>();
  private readonly ready: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly options: LaneOptions;
  /** Lanes held between turns of a session that still has work. */
  private readonly held = new Map<string, LaneLease>();
  /** Releases in progress: the session is not taken again until its release is done. */
  private readonly releasing = new Map<string, Promise<void>>();
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

  /** Stop starting turns, wait for the running ones to finish, and give up held lanes. */
  async drain(): Promise<void> {
    this.stopped = true;
    this.ready.length = 0;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    const held = [...this.held.values()];
    this.held.clear();
    await Promise.allSettled([...held.map((lease) => lease.release()), ...this.releasing.values()]);
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
    let failed = false;
    let lease: LaneLease | undefined;
    let heldElsewhere = false;
    try {
      const taken = await this.leaseFor(sessionId);
      // Another gateway runs the session: it sees our message when it re-checks after its turn,
      // and if it dies, the periodic resume wakes the session here once its lease has expired.
      heldElsewhere = taken === null;
      if (taken !== null) {
        lease = taken;
        hadWork = await this.options.runTurn(sessionId, lease);
      }
    } catch (error) {
      failed = true;
      this.options.onError(sessionId, error);
      // A failing store or agent must not leave the session idle with work pending: look again soon.
      setTimeout(() => this.wake(sessionId), 1000).unref();
    } finally {
      this.active--;
      const wokeAgain = this.wokenWhileRunning.delete(sessionId);
      this.state.delete(sessionId);
      const keep = !failed && (hadWork || wokeAgain) && lease?.valid === true && !this.stopped;
      if (lease && keep) this.held.set(sessionId, lease);
      else if (lease) this.release(sessionId, lease, !failed);
      if ((hadWork || wokeAgain) && !heldElsewhere && (keep || !lease)) this.wake(sessionId);
      this.pump();
    }
  }

  /** The held or newly taken lease; null if another gateway holds the lane; undefined without leases. */
  private async leaseFor(sessionId: string): Promise<LaneLease | null | undefined> {
    const leases = this.options.leases;
    if (!leases) return undefined;
    await this.releasing.get(sessionId);
    const held = this.held.get(sessionId);
    this.held.delete(sessionId);
    if (held?.valid) return held;
    if (held) await held.release();
    return (await leases.acquire(sessionId)) ?? null;
  }

  /** Release, then look at the inbox once more: a message accepted meanwhile must not be stranded. */
  private release(sessionId: string, lease: LaneLease, recheck: boolean): void {
    const done = (async () => {
      await lease.release();
      if (recheck && !this.stopped && (await this.options.leases!.hasPending(sessionId))) this.wake(sessionId);
    })()
      .catch((error: unknown) => this.options.onError(sessionId, error))
      .finally(() => {
        if (this.releasing.get(sessionId) === done) this.releasing.delete(sessionId);
      });
    this.releasing.set(sessionId, done);
  }
}
