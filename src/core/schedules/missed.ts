/**
 * What to do with the slots that fell due since a schedule's cursor (the last slot dealt with):
 * fire the latest on time, wait out a backoff, or, when even the latest is late because no
 * gateway ran, follow the schedule's policy: `skip` all of them, or `run-once` the latest. Only
 * the latest slot ever fires, so a gateway back after a long stop never fires a burst.
 */
import type { ScheduleSpec } from "./spec.ts";

export type MissedPolicy = "skip" | "run-once";

export type DueDecision =
  /** Nothing due. */
  | { action: "none" }
  /** Due, but the schedule backs off until then. */
  | { action: "wait"; until: number }
  /** Fire the slot at `slotAt`; `passedOver` earlier due slots are dropped unrun. */
  | { action: "fire"; slotAt: number; passedOver: number }
  /** Record the slot at `slotAt` as missed, standing for `missed` slots (itself included). */
  | { action: "skip"; slotAt: number; missed: number };

export interface DueInput {
  spec: ScheduleSpec;
  /** Slots at or before it are dealt with. */
  cursor: number;
  now: number;
  /** No slot fires before it (backoff); 0 if none. */
  notBefore: number;
  /** How late a slot may fire and still count as on time. */
  graceMs: number;
  policy: MissedPolicy;
}

/** Counting stops here: a schedule every second after a month off need not be walked slot by slot. */
const COUNT_CAP = 10_000;

export function decideDue(input: DueInput): DueDecision {
  const latest = input.spec.latest(input.now);
  if (latest === undefined || latest <= input.cursor) return { action: "none" };
  if (input.now < input.notBefore) return { action: "wait", until: input.notBefore };
  const count = countSlots(input.spec, input.cursor, latest);
  // A slot held back by a backoff is late because of it, not because no gateway ran.
  const lateBy = input.now - Math.max(latest, input.notBefore);
  if (lateBy > input.graceMs && input.policy === "skip") return { action: "skip", slotAt: latest, missed: count };
  return { action: "fire", slotAt: latest, passedOver: count - 1 };
}

/** Slots in (after, upTo], at most COUNT_CAP. */
export function countSlots(spec: ScheduleSpec, after: number, upTo: number): number {
  let count = 0;
  for (let t = spec.next(after); t !== undefined && t <= upTo && count < COUNT_CAP; t = spec.next(t)) count++;
  return count;
}
