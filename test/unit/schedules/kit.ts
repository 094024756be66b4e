/**
 * What the schedule tests share: a clock the test moves by hand (timers run when it passes
 * them), a fire callback that records every firing and can be told to fail or to hang, and
 * temp sqlite stores.
 */
import { after } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { openSqliteStore } from "../../../src/store/sqlite/index.ts";
import type { Store } from "../../../src/store/store.ts";
import type { SchedulerClock } from "../../../src/core/schedules/clock.ts";
import { Scheduler, type ScheduleFire, type SchedulerOptions } from "../../../src/core/schedules/scheduler.ts";
import type { ScheduleDefinition } from "../../../src/core/schedules/spec.ts";

const dir = mkdtempSync(join(tmpdir(), "switchboard-schedules-"));
after(() => rmSync(dir, { recursive: true, force: true }));

export const tempDbFile = (): string => join(dir, `${randomUUID()}.db`);

export async function tempStore(): Promise<Store> {
  return openSqliteStore(tempDbFile());
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const at = (text: string): number => Date.parse(text);

interface Timer {
  at: number;
  fn: () => void;
}

export class ManualClock implements SchedulerClock {
  #now: number;
  #timers = new Set<Timer>();

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.#now + ms, fn };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** When the earliest pending timer is due. */
  get nextTimerAt(): number | undefined {
    let earliest: number | undefined;
    for (const timer of this.#timers) if (earliest === undefined || timer.at < earliest) earliest = timer.at;
    return earliest;
  }

  /** Move to `t`; every timer due by then runs once, earliest first. */
  set(t: number): void {
    if (t < this.#now) throw new Error(`the clock only moves forward (${iso(this.#now)} → ${iso(t)})`);
    this.#now = t;
    const due = [...this.#timers].filter((timer) => timer.at <= t).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      this.#timers.delete(timer);
      timer.fn();
    }
  }
}

export interface Firing {
  schedule: string;
  slot: string;
  slotAt: number;
  /** The clock when fire was called. */
  firedAt: number;
  holder: string;
  manual: boolean;
  attempts: number;
}

type Behaviour = "deliver" | "fail" | "hang";

/** A fire callback that records firings; `behaviour` decides each one's end. */
export class FireRecorder {
  readonly firings: Firing[] = [];
  behaviour: Behaviour | ((firing: Firing) => Behaviour) = "deliver";
  readonly #hanging: Array<() => void> = [];
  readonly #clock: SchedulerClock;

  constructor(clock: SchedulerClock) {
    this.#clock = clock;
  }

  fireFor(holder: string): (fire: ScheduleFire<ScheduleDefinition>) => Promise<{ sessionId: string }> {
    return async ({ schedule, run, manual, signal }) => {
      const firing: Firing = { schedule: schedule.name, slot: run.slot, slotAt: run.slotAt, firedAt: this.#clock.now(), holder, manual, attempts: run.attempts };
      this.firings.push(firing);
      const behaviour = typeof this.behaviour === "function" ? this.behaviour(firing) : this.behaviour;
      if (behaviour === "fail") throw new Error(`agent unreachable (token=sk-secret-value-123456)`);
      if (behaviour === "hang") {
        await new Promise<void>((resolve, reject) => {
          this.#hanging.push(resolve);
          signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
        });
      }
      return { sessionId: `session-${schedule.name}` };
    };
  }

  get hanging(): number {
    return this.#hanging.length;
  }

  /** Let every hanging firing deliver. */
  release(): void {
    for (const resolve of this.#hanging.splice(0)) resolve();
  }

  slotsOf(schedule: string): string[] {
    return this.firings.filter((f) => f.schedule === schedule).map((f) => f.slot);
  }
}

export type TestScheduler = Scheduler<ScheduleDefinition>;

export function scheduler(
  store: Store,
  clock: ManualClock,
  recorder: FireRecorder,
  schedules: ScheduleDefinition[],
  options: Partial<SchedulerOptions<ScheduleDefinition>> = {},
): TestScheduler {
  const holder = options.holder ?? `g-${randomUUID().slice(0, 8)}`;
  return new Scheduler({ store, clock, schedules, holder, fire: recorder.fireFor(holder), pollMs: 7 * 86_400_000, ...options });
}

/** Let the schedulers wake at each timer up to `end`, as they would in real time, and settle after each. */
export async function runUntil(clock: ManualClock, schedulers: TestScheduler[], end: number, recorder?: FireRecorder): Promise<void> {
  await settle(schedulers, recorder);
  for (;;) {
    const next = clock.nextTimerAt;
    if (next === undefined || next > end) break;
    clock.set(next);
    await settle(schedulers, recorder);
  }
  if (clock.now() < end) clock.set(end);
  await settle(schedulers, recorder);
}

/** One pass of each scheduler, then their firings done (or, while some hang, a moment for the rest). */
export async function settle(schedulers: TestScheduler[], recorder?: FireRecorder): Promise<void> {
  await Promise.all(schedulers.map((s) => s.tick()));
  const idle = Promise.all(schedulers.map((s) => s.whenIdle()));
  if (recorder && recorder.hanging > 0) await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, 50))]);
  else await idle;
  // A run that ended makes its scheduler look again (a retry, the next slot): let that pass finish.
  await Promise.all(schedulers.map((s) => s.tick()));
}
