/**
 * Replies per sender within a sliding window. Mail beyond the limit is read but not answered,
 * so a robot that slipped past the loop checks cannot keep a conversation going.
 */
export class SenderRateLimit {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly seen = new Map<string, number[]>();

  constructor(options: { max: number; windowMs: number }) {
    this.max = options.max;
    this.windowMs = options.windowMs;
  }

  allow(sender: string, now = Date.now()): boolean {
    const key = sender.toLowerCase();
    const recent = (this.seen.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.max) {
      this.seen.set(key, recent);
      return false;
    }
    recent.push(now);
    this.seen.set(key, recent);
    if (this.seen.size > 10_000) this.forgetIdle(now);
    return true;
  }

  /** Bounded memory: drop senders with nothing in the window. */
  private forgetIdle(now: number): void {
    for (const [key, times] of this.seen) if (times.every((t) => t <= now - this.windowMs)) this.seen.delete(key);
  }
}
