/**
 * Token bucket arithmetic, shared by the store backends so that every backend refills and
 * refuses the same way (the Redis script in store/redis/scripts/buckets.ts mirrors it in Lua).
 * A bucket holds up to `capacity` tokens and regains `refillPerSecond` per second; a take that
 * finds too few is refused and, with a cooldown, refuses everything for a while after.
 */

export interface BucketTake {
  /** The most tokens the bucket holds: the burst it lets through at once. */
  capacity: number;
  /** Tokens regained per second, up to `capacity`. */
  refillPerSecond: number;
  /** Tokens this take needs; 1 for one message. */
  cost: number;
  /** The caller's clock (as everywhere in the store), in ms. */
  now: number;
  /** When a take is refused, refuse every take for this long after it (the loop guard's cooldown). */
  cooldownMs?: number;
}

export interface BucketVerdict {
  allowed: boolean;
  /** When refused: how long until a take of this cost can succeed (or the cooldown ends). 0 when allowed. */
  retryAfterMs: number;
  /** This take started a cooldown: true once per cooldown, so it is reported once, not per message. */
  tripped: boolean;
}

export interface BucketState {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
  /** Takes before this time are refused (a cooldown); 0 for none. */
  blockedUntil: number;
}

export interface BucketStep {
  verdict: BucketVerdict;
  state: BucketState;
  /**
   * How long the state matters: after this the bucket is full and out of cooldown, exactly as if
   * it had never been used, so a backend may forget it (idle buckets vanish).
   */
  ttlMs: number;
}

/** One take against a bucket; `state` is undefined for a bucket never used (or forgotten): full. */
export function takeFromBucket(state: BucketState | undefined, take: BucketTake): BucketStep {
  const { capacity, refillPerSecond, cost, now } = take;
  const current = state ?? { tokens: capacity, at: now, blockedUntil: 0 };
  // Gateways' clocks differ a little: a take "from the past" refills nothing rather than draining.
  const elapsed = Math.max(0, now - current.at);
  let tokens = Math.min(capacity, current.tokens + (elapsed * refillPerSecond) / 1000);
  const at = Math.max(now, current.at);
  let blockedUntil = current.blockedUntil;
  let verdict: BucketVerdict;

  if (now < blockedUntil) {
    verdict = { allowed: false, retryAfterMs: blockedUntil - now, tripped: false };
  } else if (tokens >= cost) {
    tokens -= cost;
    verdict = { allowed: true, retryAfterMs: 0, tripped: false };
  } else if ((take.cooldownMs ?? 0) > 0) {
    blockedUntil = now + take.cooldownMs!;
    verdict = { allowed: false, retryAfterMs: take.cooldownMs!, tripped: true };
  } else {
    verdict = { allowed: false, retryAfterMs: Math.ceil(((cost - tokens) * 1000) / refillPerSecond), tripped: false };
  }
  const untilFull = refillPerSecond > 0 ? ((capacity - tokens) * 1000) / refillPerSecond : Number.POSITIVE_INFINITY;
  const ttlMs = Math.ceil(Math.max(untilFull, blockedUntil - now, 0));
  return { verdict, state: { tokens, at, blockedUntil }, ttlMs };
}
