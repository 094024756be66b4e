/**
 * When a schedule's slots fall: a cron expression in a time zone (via croner), one moment (`at`),
 * or a fixed interval (`every`). Slots depend only on the definition, never on when a gateway
 * started, so every gateway computes the same ones: `every` counts from the Unix epoch.
 */
import { Cron } from "croner";

/** How a schedule is timed; exactly one of cron, at and every. Times are epoch milliseconds. */
export interface ScheduleTiming {
  /** Five fields (minute hour day-of-month month day-of-week), or six with seconds first. */
  cron?: string | undefined;
  /** IANA time zone the cron expression is read in; UTC unless set. */
  timezone?: string | undefined;
  at?: number | undefined;
  /** Interval in milliseconds. */
  every?: number | undefined;
}

/** What the scheduler needs of a schedule; the rest (agent, target, …) is the fire callback's business. */
export interface ScheduleDefinition extends ScheduleTiming {
  name: string;
  /** After downtime: `skip` (default) the slots that passed, or `run-once` the latest of them. */
  missed?: "skip" | "run-once" | undefined;
  /** Disabled schedules never fire, not even on run-now. */
  enabled?: boolean | undefined;
}

export type ScheduleKind = "cron" | "at" | "every";

export interface ScheduleSpec {
  readonly kind: ScheduleKind;
  /** The first slot strictly after `t`, if any (a one-shot has none after its moment). */
  next(t: number): number | undefined;
  /** The last slot at or before `t`, if any. */
  latest(t: number): number | undefined;
}

/** A slot's id in the store: its time, as an ISO string. */
export function slotId(slotAt: number): string {
  return new Date(slotAt).toISOString();
}

export function scheduleSpec(timing: ScheduleTiming): ScheduleSpec {
  const kinds = (["cron", "at", "every"] as const).filter((kind) => timing[kind] !== undefined);
  if (kinds.length !== 1) throw new Error(`a schedule needs exactly one of cron, at and every (got ${kinds.join(", ") || "none"})`);
  if (timing.cron !== undefined) return cronSpec(timing.cron, timing.timezone);
  if (timing.at !== undefined) return atSpec(timing.at);
  return everySpec(timing.every!);
}

function cronSpec(expression: string, timezone: string | undefined): ScheduleSpec {
  const cron = parseCron(expression, timezone);
  return {
    kind: "cron",
    next: (t) => cron.nextRun(new Date(t))?.getTime(),
    // previousRuns looks strictly before its reference; slots fall on whole seconds.
    latest: (t) => cron.previousRuns(1, new Date(Math.floor(t) + 1))[0]?.getTime(),
  };
}

function atSpec(at: number): ScheduleSpec {
  return { kind: "at", next: (t) => (at > t ? at : undefined), latest: (t) => (at <= t ? at : undefined) };
}

function everySpec(every: number): ScheduleSpec {
  if (!Number.isFinite(every) || every < 1000) throw new Error(`every must be at least 1s, not ${every}ms`);
  return {
    kind: "every",
    next: (t) => (Math.floor(t / every) + 1) * every,
    latest: (t) => Math.floor(t / every) * every,
  };
}

function parseCron(expression: string, timezone: string | undefined): Cron {
  // Without a callback croner schedules nothing: this object only computes times.
  return new Cron(expression, { timezone: timezone ?? "UTC", mode: "5-or-6-parts", paused: true });
}

/** Why a cron expression is not usable, in words for a config file; undefined if it is fine. */
export function cronIssue(expression: string): string | undefined {
  try {
    const cron = parseCron(expression, undefined);
    if (cron.nextRun(new Date()) === null) return `"${expression}" never fires`;
    return undefined;
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, "");
    return `"${expression}" is not a cron expression (${reason}); use five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"`;
  }
}

/** Why a time zone is not usable; undefined if it is an IANA name this runtime knows. */
export function timezoneIssue(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return undefined;
  } catch {
    return `"${timezone}" is not a known time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC`;
  }
}

/**
 * A wall-clock time without an offset (`2026-05-01T09:00`) read in `timezone`, as epoch ms.
 * Times with a `Z` or an offset are absolute already. Undefined if it is not a date-time.
 */
export function parseAt(text: string, timezone: string | undefined): number | undefined {
  const value = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value)) return undefined;
  const iso = value.replace(" ", "T");
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) {
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? undefined : ms;
  }
  // Date.parse rolls 2026-02-30 over into March: a date that does not round-trip does not exist.
  const utc = Date.parse(`${iso}Z`);
  if (Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 16) !== iso.slice(0, 16)) return undefined;
  try {
    return new Cron(iso.length === 16 ? `${iso}:00` : iso, { timezone: timezone ?? "UTC", paused: true }).getOnce()?.getTime();
  } catch {
    return undefined;
  }
}
