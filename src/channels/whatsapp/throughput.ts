/**
 * The sender's own pace per business number: a token bucket at Meta's default throughput
 * (80 messages a second), so a burst of replies is spread out instead of meeting 130429 errors.
 * A send that would have to wait long is handed back to the outbox (retry later) rather than
 * held here, because the outbox waits durably and in order.
 */

export class SendRateLimiter {
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private updatedAt: number;

  constructor(perSecond: number, options: { burst?: number; now?: () => number } = {}) {
    this.perSecond = perSecond;
    this.burst = options.burst ?? perSecond;
    this.now = options.now ?? Date.now;
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  /**
   * Take one send slot. Returns 0 when the send may go now, else how many ms until a slot frees
   * (the slot is then reserved: a caller that waits that long may send without asking again).
   */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }

  /** Give back a reservation that was not used. */
  release(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }
}
