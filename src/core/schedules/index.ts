/** Schedules: when an agent speaks first. The Scheduler, the timing of a schedule, and the store-only controls the CLI uses. */
export { Scheduler } from "./scheduler.ts";
export type { FireResult, ScheduleFire, SchedulerOptions, ScheduleStatus } from "./scheduler.ts";
export { systemClock } from "./clock.ts";
export type { SchedulerClock } from "./clock.ts";
export { scheduleSpec, slotId, parseAt, cronIssue, timezoneIssue } from "./spec.ts";
export type { ScheduleDefinition, ScheduleKind, ScheduleSpec, ScheduleTiming } from "./spec.ts";
export { isManualSlot, manualSlot, pauseSchedule, requestRunNow, resumeSchedule } from "./control.ts";
export { BACKOFF_STEPS_MS, backoffDelay, MAX_ONE_SHOT_RETRIES } from "./backoff.ts";
