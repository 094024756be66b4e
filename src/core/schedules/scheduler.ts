/**
 * The Scheduler: wakes when a schedule's slot falls due, claims the slot in the store (so that of
 * all the gateways on the store, and across restarts, exactly one fires it), and calls `fire`,
 * which runs the turn and returns once the reply is delivered. Runs are recorded in the store:
 * started, finished, delivered, failed (with the error), skipped (overlap, missed).
 *
 * Everything another gateway or the CLI may change lives in the store and is read on every pass:
 * paused, consecutive failures, run-now requests, runs whose gateway died (taken over once their
 * claim runs out). `fire` must be idempotent per (schedule, run.slot), because a taken-over run is
 * fired again: key the turn's message on it, so the second firing finds the first one's.
 */
import { randomUUID } from "node:crypto";
import { RequestError } from "../errors.ts";
import { scrub, silentLogger, type Logger } from "../log.ts";
import type { ScheduleRun, ScheduleSkipReason, ScheduleState, ScheduleStore } from "../../store/schedules.ts";
import { backoffUntil, MAX_ONE_SHOT_RETRIES } from "./backoff.ts";
import { ClaimKeeper } from "./claim-keeper.ts";
import { systemClock, type SchedulerClock } from "./clock.ts";
import { isManualSlot, pauseSchedule, requestRunNow, resumeSchedule } from "./control.ts";
import { decideDue, type DueDecision } from "./missed.ts";
import { scheduleSpec, slotId, type ScheduleDefinition, type ScheduleSpec } from "./spec.ts";
import { scheduleStatus, type ScheduleStatus } from "./status.ts";

export type { ScheduleStatus } from "./status.ts";

export interface ScheduleFire<S extends ScheduleDefinition> {
  schedule: S;
  run: ScheduleRun;
  /** A run-now, not one of the schedule's slots. */
  manual: boolean;
  /** Aborts when the gateway stops or another gateway took the run over: stop, the run is resumed elsewhere. */
  signal: AbortSignal;
  /** Record that the turn is done and its reply is being delivered. */
  finished(sessionId?: string): Promise<void>;
}

/** What `fire` may report once the reply is delivered. */
export type FireResult = { sessionId?: string } | undefined | void;

export interface SchedulerOptions<S extends ScheduleDefinition> {
  store: ScheduleStore;
  schedules: readonly S[];
  /** Run the turn and deliver its reply; throw if either failed. */
  fire(fire: ScheduleFire<S>): Promise<FireResult>;
  /** This gateway among those sharing the store; a fresh id unless set. */
  holder?: string;
  clock?: SchedulerClock;
  /** A claimed run whose gateway stops renewing its claim for this long is taken over. 30 s. */
  leaseMs?: number;
  /** The store is read at least this often, for pauses and run-nows from elsewhere. 5 s. */
  pollMs?: number;
  /** How late a slot may fire and still count as on time rather than missed. 60 s. */
  graceMs?: number;
  /** Runs that are over are deleted after this long. 7 days. */
  keepRunsMs?: number;
  log?: Logger;
}

interface Entry<S> {
  def: S;
  spec: ScheduleSpec;
}

interface Target {
  slot: string;
  slotAt: number;
  advanceCursor: boolean;
  skip?: { reason: ScheduleSkipReason; missed?: number };
}

const PRUNE_EVERY_MS = 3_600_000;
const OPEN_RUNS_LIMIT = 100;
const MAX_ERROR_LENGTH = 2_000;

export class Scheduler<S extends ScheduleDefinition = ScheduleDefinition> {
  readonly holder: string;
  readonly #store: ScheduleStore;
  readonly #fire: SchedulerOptions<S>["fire"];
  readonly #clock: SchedulerClock;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #graceMs: number;
  readonly #keepRunsMs: number;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  readonly #running = new Map<string, Promise<void>>();
  #entries = new Map<string, Entry<S>>();
  #passing: Promise<void> | undefined;
  #again = false;
  #cancelTimer: (() => void) | undefined;
  #started = false;
  #lastPrune = Number.NEGATIVE_INFINITY;

  constructor(options: SchedulerOptions<S>) {
    this.holder = options.holder ?? randomUUID();
    this.#store = options.store;
    this.#fire = options.fire;
    this.#clock = options.clock ?? systemClock;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 5_000;
    this.#graceMs = options.graceMs ?? 60_000;
    this.#keepRunsMs = options.keepRunsMs ?? 7 * 86_400_000;
    this.#log = options.log ?? silentLogger;
    this.setSchedules(options.schedules);
  }

  /** Replace the schedules (a config reload); runs in flight go on. */
  setSchedules(schedules: readonly S[]): void {
    const entries = new Map<string, Entry<S>>();
    for (const def of schedules) {
      if (entries.has(def.name)) throw new Error(`schedules: "${def.name}" is defined twice`);
      try {
        entries.set(def.name, { def, spec: scheduleSpec(def) });
      } catch (error) {
        throw new Error(`schedules.${def.name}: ${(error as Error).message}`, { cause: error });
      }
    }
    this.#entries = entries;
    if (this.#started) void this.tick();
  }

  start(): void {
    if (this.#stopping.signal.aborted) throw new Error("a stopped scheduler does not start again; make a new one");
    this.#started = true;
    void this.tick();
  }

  /** Stop firing; runs in flight are aborted and left to be taken over (by another gateway, or this one's next start). */
  async stop(): Promise<void> {
    this.#started = false;
    this.#stopping.abort(new Error("the scheduler is stopping"));
    this.#cancelTimer?.();
    await this.#passing;
    await this.whenIdle();
  }

  /** One pass over every schedule: claim and fire what is due. Resolves when a pass begun after the call has ended. */
  tick(): Promise<void> {
    this.#again = true;
    this.#passing ??= (async () => {
      try {
        while (this.#again && !this.#stopping.signal.aborted) {
          this.#again = false;
          try {
            await this.#pass();
          } catch (error) {
            // #pass handles each schedule's errors; this is a last guard, so a tick never rejects.
            this.#log.error("a scheduler pass failed", { error });
            this.#arm(this.#clock.now() + this.#pollMs);
          }
        }
      } finally {
        this.#passing = undefined;
      }
    })();
    return this.#passing;
  }

  /** Resolves once no run started by this scheduler is in flight. */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  /** Queue a run now and look for it at once (this gateway likely claims it). Returns its slot id. */
  async runNow(name: string): Promise<string> {
    const { def } = this.#entry(name);
    if (def.enabled === false) throw new RequestError(409, `schedule "${name}" is disabled in the config; enable it first`);
    const slot = await requestRunNow(this.#store, name, this.#clock.now());
    await this.tick();
    return slot;
  }

  async pause(name: string): Promise<ScheduleState> {
    this.#entry(name);
    return pauseSchedule(this.#store, name, this.#clock.now());
  }

  async resume(name: string): Promise<ScheduleState> {
    this.#entry(name);
    const state = await resumeSchedule(this.#store, name, this.#clock.now());
    if (this.#started) void this.tick();
    return state;
  }

  async list(): Promise<ScheduleStatus[]> {
    const now = this.#clock.now();
    return Promise.all(
      [...this.#entries.values()].map(async ({ def, spec }) => {
        const [state, runs] = await Promise.all([this.#store.getScheduleState(def.name), this.#store.listScheduleRuns({ schedule: def.name, limit: 20 })]);
        return scheduleStatus(def, spec, state, runs, now);
      }),
    );
  }

  #entry(name: string): Entry<S> {
    const entry = this.#entries.get(name);
    if (!entry) throw new RequestError(404, `unknown schedule "${name}" (known: ${[...this.#entries.keys()].join(", ") || "none"})`);
    return entry;
  }

  async #pass(): Promise<void> {
    let wake = this.#clock.now() + this.#pollMs;
    for (const entry of this.#entries.values()) {
      if (this.#stopping.signal.aborted) return;
      if (entry.def.enabled === false) continue;
      try {
        const at = await this.#check(entry);
        if (at !== undefined) wake = Math.min(wake, at);
      } catch (error) {
        this.#log.warn("could not check a schedule; trying again on the next pass", { schedule: entry.def.name, error });
      }
    }
    await this.#prune();
    this.#arm(wake);
  }

  /** Claim what is due for one schedule; returns when it should be looked at again, if sooner than the poll. */
  async #check({ def, spec }: Entry<S>): Promise<number | undefined> {
    const now = this.#clock.now();
    const state = (await this.#store.getScheduleState(def.name)) ?? (await this.#store.initScheduleState(def.name, spec.kind === "at" ? 0 : now));
    // Run-nows to claim, and runs whose gateway stopped renewing its claim, to take over; a run
    // another gateway holds is looked at again when its claim would run out.
    let takeoverAt: number | undefined;
    for (const run of await this.#store.listScheduleRuns({ schedule: def.name, open: true, limit: OPEN_RUNS_LIMIT })) {
      if (this.#running.has(runKey(def.name, run.slot))) continue;
      if (run.status === "queued" || run.claimedUntil <= now) await this.#claim(def, { slot: run.slot, slotAt: run.slotAt, advanceCursor: false });
      else takeoverAt = Math.min(takeoverAt ?? run.claimedUntil, run.claimedUntil);
    }
    return earliest(takeoverAt, await this.#checkSlots({ def, spec }, state, now));
  }

  async #checkSlots({ def, spec }: Entry<S>, state: ScheduleState, now: number): Promise<number | undefined> {
    if (state.paused) return undefined;
    const notBefore = backoffUntil(state);
    if (spec.kind === "at" && state.cursor >= def.at!) return this.#retryOneShot(def, state, notBefore, now);
    const decision = decideDue({ spec, cursor: state.cursor, now, notBefore, graceMs: this.#graceMs, policy: def.missed ?? "skip" });
    await this.#apply(def, decision);
    if (decision.action === "wait") return decision.until;
    const next = spec.next(Math.max(now, state.cursor));
    return next === undefined ? undefined : Math.max(next, notBefore);
  }

  async #apply(def: S, decision: DueDecision): Promise<void> {
    if (decision.action === "skip") {
      const skip = { reason: "missed" as const, missed: decision.missed };
      await this.#claim(def, { slot: slotId(decision.slotAt), slotAt: decision.slotAt, advanceCursor: true, skip });
    } else if (decision.action === "fire") {
      if (decision.passedOver > 0) this.#log.info("schedule: firing only the latest of several due slots", { schedule: def.name, passedOver: decision.passedOver });
      await this.#claim(def, { slot: slotId(decision.slotAt), slotAt: decision.slotAt, advanceCursor: true });
    }
  }

  /** A one-shot whose run failed is retried once per backoff step, each retry its own slot. */
  async #retryOneShot(def: S, state: ScheduleState, notBefore: number, now: number): Promise<number | undefined> {
    if (state.failures === 0 || state.failures > MAX_ONE_SHOT_RETRIES) return undefined;
    if (now < notBefore) return notBefore;
    await this.#claim(def, { slot: `${slotId(def.at!)}#retry${state.failures}`, slotAt: notBefore, advanceCursor: false });
    return undefined;
  }

  async #claim(def: S, target: Target): Promise<void> {
    const outcome = await this.#store.claimScheduleRun({
      schedule: def.name,
      slot: target.slot,
      slotAt: target.slotAt,
      holder: this.holder,
      now: this.#clock.now(),
      leaseMs: this.#leaseMs,
      advanceCursor: target.advanceCursor,
      ...(target.skip ? { skip: target.skip } : {}),
    });
    if (outcome.status === "skipped") {
      const { slot, reason, missed } = outcome.run;
      this.#log.info(`schedule: slot skipped (${reason ?? "?"})`, { schedule: def.name, slot, ...(missed !== undefined ? { missed } : {}) });
    } else if (outcome.status === "claimed") {
      this.#execute(def, outcome.run);
    }
  }

  #execute(def: S, run: ScheduleRun): void {
    const key = runKey(def.name, run.slot);
    const manual = isManualSlot(run.slot);
    const keeper = new ClaimKeeper({ store: this.#store, clock: this.#clock, schedule: def.name, slot: run.slot, holder: this.holder, leaseMs: this.#leaseMs, log: this.#log });
    const signal = AbortSignal.any([keeper.signal, this.#stopping.signal]);
    keeper.start();
    const record = (status: "finished" | "delivered" | "failed", fields: { sessionId?: string | undefined; error?: string }) =>
      this.#record(def.name, run.slot, manual, status, fields);
    const running = (async () => {
      try {
        const result = await this.#fire({ schedule: def, run, manual, signal, finished: (sessionId) => record("finished", { sessionId }) });
        // Delivered, even if the gateway is stopping; unless another gateway owns the run by now.
        if (!keeper.lost) await record("delivered", { sessionId: result?.sessionId });
      } catch (error) {
        if (signal.aborted) {
          this.#log.info("schedule run stopped; it is taken over once its claim runs out", { schedule: def.name, slot: run.slot });
          return;
        }
        await record("failed", { error: describeError(error) });
      } finally {
        keeper.stop();
        this.#running.delete(key);
        // What comes next depends on how this run ended (a retry after a failure, the next slot
        // after an overlap): look again now rather than at the next poll.
        if (this.#started) void this.tick();
      }
    })();
    this.#running.set(key, running);
  }

  async #record(schedule: string, slot: string, manual: boolean, status: "finished" | "delivered" | "failed", fields: { sessionId?: string | undefined; error?: string }): Promise<void> {
    try {
      const recorded = await this.#store.updateScheduleRun({
        schedule,
        slot,
        holder: this.holder,
        status,
        now: this.#clock.now(),
        ...(fields.sessionId !== undefined ? { sessionId: fields.sessionId } : {}),
        ...(fields.error !== undefined ? { error: fields.error } : {}),
        countsForBackoff: !manual,
      });
      if (!recorded) this.#log.warn("schedule run not recorded: another gateway holds it now", { schedule, slot, status });
      else if (status === "failed") this.#log.warn("schedule run failed", { schedule, slot, error: fields.error });
    } catch (error) {
      this.#log.error("could not record a schedule run", { schedule, slot, status, error });
    }
  }

  async #prune(): Promise<void> {
    const now = this.#clock.now();
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    try {
      await this.#store.pruneScheduleRuns(now - this.#keepRunsMs);
    } catch (error) {
      this.#log.warn("could not prune old schedule runs", { error });
    }
  }

  #arm(at: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (!this.#started || this.#stopping.signal.aborted) return;
    this.#cancelTimer = this.#clock.setTimer(() => void this.tick(), Math.max(0, at - this.#clock.now()));
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function runKey(schedule: string, slot: string): string {
  return `${schedule}\u0000${slot}`;
}

function describeError(error: unknown): string {
  const text = scrub(error instanceof Error ? error.message : String(error));
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
