/**
 * One clock for everything the cluster test records (sends, agent turns, callbacks): epoch
 * milliseconds with sub-millisecond resolution, so two turns a fraction of a millisecond apart
 * still order correctly.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
