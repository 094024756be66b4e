/**
 * What the CLI and the API do to schedules through the store alone, so that they reach a gateway
 * running on the same store: pause, resume, and ask for a run now (a queued run the next gateway
 * to look claims).
 */
import { randomUUID } from "node:crypto";
import type { ScheduleState, ScheduleStore } from "../../store/schedules.ts";

/** A run-now's slot id: its own slot, never a regular one. */
export function manualSlot(): string {
  return `manual:${randomUUID()}`;
}

export function isManualSlot(slot: string): boolean {
  return slot.startsWith("manual:");
}

/** Queue a run of `schedule` now; returns its slot id. */
export async function requestRunNow(store: ScheduleStore, schedule: string, now: number): Promise<string> {
  const slot = manualSlot();
  if (!(await store.queueScheduleRun(schedule, slot, now))) throw new Error(`could not queue a run of schedule "${schedule}"`);
  return slot;
}

export function pauseSchedule(store: ScheduleStore, schedule: string, now: number): Promise<ScheduleState> {
  return store.setSchedulePaused(schedule, true, now);
}

/** Resume: the slots that passed while paused are not run and not counted as missed. */
export function resumeSchedule(store: ScheduleStore, schedule: string, now: number): Promise<ScheduleState> {
  return store.setSchedulePaused(schedule, false, now);
}
