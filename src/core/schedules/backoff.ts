/**
 * How long a schedule waits after consecutive failed runs: 30 s, 1 m, 5 m, 15 m, then 60 m. A
 * recurring schedule fires no slot before the wait is over (a slot due meanwhile fires late, at
 * its end); a one-shot (`at`) is retried when it is over, as many times as there are steps.
 */
export const BACKOFF_STEPS_MS: readonly number[] = [30_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];

/** The wait after `failures` consecutive failures (0 for none; the last step from then on). */
export function backoffDelay(failures: number): number {
  if (failures <= 0) return 0;
  return BACKOFF_STEPS_MS[Math.min(failures, BACKOFF_STEPS_MS.length) - 1]!;
}

/** When the schedule may fire again; 0 when it is not backing off. */
export function backoffUntil(state: { failures: number; lastFailureAt: number | undefined }): number {
  if (state.failures <= 0 || state.lastFailureAt === undefined) return 0;
  return state.lastFailureAt + backoffDelay(state.failures);
}

/** A one-shot is retried after each of its first failures, once per backoff step. */
export const MAX_ONE_SHOT_RETRIES = BACKOFF_STEPS_MS.length;
