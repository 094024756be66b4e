/**
 * The scheduler's sense of time, injectable so tests can walk a schedule across a DST change or a
 * day of downtime without waiting for it.
 */
export interface SchedulerClock {
  now(): number;
  /** Call `fn` once after `ms`; the returned function cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    // Capped: setTimeout fires at once for delays past 2^31-1 ms (about 24.8 days).
    const timer = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
