/**
 * A gateway's hold on one session's lane in the shared store, so that gateways sharing a store
 * never run turns of one session side by side. The lease is renewed (the heartbeat) every third
 * of its TTL while held. It is lost when the store says another gateway has taken it over, and
 * also, locally, as soon as the last renewal this gateway saw is older than the TTL: a process
 * that froze (SIGSTOP, a long GC pause) must assume it was taken over before it sends anything.
 * The store's fencing token then keeps a stale turn from committing.
 */
import type { LaneHold, Store } from "../store/store.ts";
import type { Logger } from "./log.ts";

export class LaneLease {
  readonly sessionId: string;
  readonly hold: LaneHold;
  private readonly store: Store;
  private readonly ttlMs: number;
  private readonly log: Logger;
  private readonly lost = new AbortController();
  /** Local time before which the store cannot have handed the lane to anyone else. */
  private validUntil: number;
  private readonly heartbeat: NodeJS.Timeout;
  private renewing = false;
  private released = false;

  constructor(deps: { store: Store; log: Logger }, sessionId: string, hold: LaneHold, ttlMs: number, askedAt: number) {
    this.store = deps.store;
    this.log = deps.log;
    this.sessionId = sessionId;
    this.hold = hold;
    this.ttlMs = ttlMs;
    // The store started the TTL when it took the request, which was no earlier than we sent it.
    this.validUntil = askedAt + ttlMs;
    this.heartbeat = setInterval(() => void this.renew(), Math.max(50, ttlMs / 3));
    this.heartbeat.unref();
  }

  /** Aborts when the lane is lost; a turn running under it stops. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /** Whether this gateway may still act for the session (stream, commit). */
  get valid(): boolean {
    return !this.lost.signal.aborted && !this.released && Date.now() < this.validUntil;
  }

  /** Give the lane up. A lane already lost is left to its new holder. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    if (this.lost.signal.aborted) return;
    try {
      await this.store.releaseLane(this.sessionId, this.hold);
    } catch (error) {
      // It expires by itself; another gateway waits at most one TTL.
      this.log.warn("could not release a session lane", { sessionId: this.sessionId, error });
    }
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.released || this.lost.signal.aborted) return;
    this.renewing = true;
    const askedAt = Date.now();
    try {
      if (await this.store.renewLane(this.sessionId, this.hold, this.ttlMs)) {
        this.validUntil = askedAt + this.ttlMs;
      } else {
        this.lose("taken over by another gateway");
      }
    } catch (error) {
      // The store is unreachable: keep trying while the lease may still hold; after that, the
      // store will let another gateway take over, so stop acting for the session.
      if (Date.now() >= this.validUntil) this.lose("could not renew it in time");
      else this.log.warn("could not renew a session lane; retrying", { sessionId: this.sessionId, error });
    } finally {
      this.renewing = false;
    }
  }

  private lose(why: string): void {
    if (this.lost.signal.aborted) return;
    clearInterval(this.heartbeat);
    this.log.warn("lost a session lane; its turn stops here and resumes where the lane is now held", { sessionId: this.sessionId, why });
    this.lost.abort("lane-lost");
  }
}

/** Takes session lanes for one gateway (`holder`). */
export class LaneLeases {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly holder: string;
  readonly ttlMs: number;

  constructor(deps: { store: Store; log: Logger }, holder: string, ttlMs: number) {
    this.store = deps.store;
    this.log = deps.log;
    this.holder = holder;
    this.ttlMs = ttlMs;
  }

  /** The session's lane, or undefined while another gateway holds it. */
  async acquire(sessionId: string): Promise<LaneLease | undefined> {
    const askedAt = Date.now();
    const token = await this.store.acquireLane(sessionId, this.holder, this.ttlMs);
    if (token === undefined) return undefined;
    return new LaneLease({ store: this.store, log: this.log }, sessionId, { holder: this.holder, token }, this.ttlMs, askedAt);
  }
}
