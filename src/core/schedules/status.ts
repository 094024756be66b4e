/** How a schedule stands, for `switchboard schedules list` and the API: when it fires next and how its last run went. */
import type { ScheduleRun, ScheduleState } from "../../store/schedules.ts";
import { backoffUntil, MAX_ONE_SHOT_RETRIES } from "./backoff.ts";
import type { ScheduleDefinition, ScheduleKind, ScheduleSpec } from "./spec.ts";

export interface ScheduleStatus {
  name: string;
  kind: ScheduleKind;
  enabled: boolean;
  paused: boolean;
  /** When it fires next, if it will (not when paused or disabled, nor a spent one-shot). */
  nextRunAt: number | undefined;
  failures: number;
  /** While backing off after failures: nothing fires before this. */
  backoffUntil: number | undefined;
  /** A run started or finished and not delivered yet. */
  running: ScheduleRun | undefined;
  /** The newest run that is over (delivered, failed or skipped). */
  lastRun: ScheduleRun | undefined;
}

/** `runs`: the schedule's newest runs, newest first. */
export function scheduleStatus(def: ScheduleDefinition, spec: ScheduleSpec, state: ScheduleState | undefined, runs: readonly ScheduleRun[], now: number): ScheduleStatus {
  const until = state ? backoffUntil(state) : 0;
  return {
    name: def.name,
    kind: spec.kind,
    enabled: def.enabled !== false,
    paused: state?.paused ?? false,
    nextRunAt: nextRunAt(def, spec, state, now),
    failures: state?.failures ?? 0,
    backoffUntil: until > now ? until : undefined,
    running: runs.find((r) => r.status === "started" || r.status === "finished"),
    lastRun: runs.find((r) => r.status === "delivered" || r.status === "failed" || r.status === "skipped"),
  };
}

function nextRunAt(def: ScheduleDefinition, spec: ScheduleSpec, state: ScheduleState | undefined, now: number): number | undefined {
  if (def.enabled === false || state?.paused) return undefined;
  // A schedule not seen yet starts counting now; a one-shot's moment is due whenever it is.
  const cursor = state?.cursor ?? (spec.kind === "at" ? 0 : now);
  const notBefore = state ? backoffUntil(state) : 0;
  if (spec.kind === "at" && cursor >= def.at!) {
    return state && state.failures > 0 && state.failures <= MAX_ONE_SHOT_RETRIES ? notBefore : undefined;
  }
  const due = spec.latest(now);
  const next = due !== undefined && due > cursor ? due : spec.next(Math.max(cursor, now));
  return next === undefined ? undefined : Math.max(next, notBefore);
}
