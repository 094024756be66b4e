/**
 * Keeps a claimed run's claim alive while its turn runs: renewed every third of the lease. When a
 * renewal is refused (another gateway took the run over after this one froze) or has not
 * succeeded for a whole lease, the claim counts as lost and `signal` aborts: the run must stop
 * and record nothing, the new holder owns it.
 */
import type { Logger } from "../log.ts";
import type { ScheduleStore } from "../../store/schedules.ts";
import type { SchedulerClock } from "./clock.ts";

export interface ClaimKeeperOptions {
  store: ScheduleStore;
  clock: SchedulerClock;
  schedule: string;
  slot: string;
  holder: string;
  leaseMs: number;
  log: Logger;
}

export class ClaimKeeper {
  readonly #options: ClaimKeeperOptions;
  readonly #lost = new AbortController();
  #validUntil: number;
  #cancelTimer: (() => void) | undefined;
  #stopped = false;

  constructor(options: ClaimKeeperOptions) {
    this.#options = options;
    this.#validUntil = options.clock.now() + options.leaseMs;
  }

  /** Aborts when the claim is lost. */
  get signal(): AbortSignal {
    return this.#lost.signal;
  }

  get lost(): boolean {
    return this.#lost.signal.aborted;
  }

  start(): void {
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
  }

  #arm(): void {
    if (this.#stopped || this.lost) return;
    this.#cancelTimer = this.#options.clock.setTimer(() => void this.#renew(), Math.max(10, Math.floor(this.#options.leaseMs / 3)));
  }

  async #renew(): Promise<void> {
    const { store, clock, schedule, slot, holder, leaseMs, log } = this.#options;
    const askedAt = clock.now();
    try {
      if (await store.renewScheduleRun(schedule, slot, holder, askedAt + leaseMs)) this.#validUntil = askedAt + leaseMs;
      else this.#lose("another gateway took the run over");
    } catch (error) {
      log.warn("could not renew a schedule run's claim", { schedule, slot, error });
      if (clock.now() >= this.#validUntil) this.#lose("its claim could not be renewed in time");
    }
    this.#arm();
  }

  #lose(why: string): void {
    if (this.#stopped || this.lost) return;
    this.#options.log.warn(`lost a schedule run: ${why}`, { schedule: this.#options.schedule, slot: this.#options.slot });
    this.#lost.abort(new Error(`the schedule run lost its claim: ${why}`));
  }
}
