/**
 * Discord's per-route rate limits: each route (with its major parameter: the channel, or the
 * webhook) is a bucket of `limit` requests per window. Every answer carries the bucket headers
 * (`X-RateLimit-Limit`, `-Remaining`, `-Reset`, `-Reset-After`, `-Bucket`); a request over the
 * limit gets 429 with `retry_after` (seconds) in the body and `Retry-After` as a header. Tests can
 * also inject 429s (a shared-resource or global limit) that no bucket predicted.
 */
import { createHash } from "node:crypto";

export interface BucketLimit {
  limit: number;
  windowMs: number;
}

/** Discord posts about 5 messages per 5 s per channel. */
export const DEFAULT_BUCKET: BucketLimit = { limit: 5, windowMs: 5_000 };

export interface InjectedLimit {
  /** Route template to hit, e.g. `POST /channels/{id}/messages`; any route when unset. */
  route?: string;
  retryAfterMs: number;
  global?: boolean;
}

export interface RateAnswer {
  limited: boolean;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

interface Bucket {
  used: number;
  resetAt: number;
}

export class RouteRateLimits {
  private readonly buckets = new Map<string, Bucket>();
  private readonly limits: Partial<Record<string, BucketLimit>>;
  private readonly injected: InjectedLimit[] = [];
  /** Every 429 answered: the route and whether it was injected. */
  readonly refusals: Array<{ route: string; injected: boolean; retryAfterMs: number }> = [];

  constructor(limits: Partial<Record<string, BucketLimit>> = {}) {
    this.limits = limits;
  }

  inject(limit: InjectedLimit, count = 1): void {
    for (let i = 0; i < count; i++) this.injected.push(limit);
  }

  check(route: string, major: string, now = Date.now()): RateAnswer {
    const injectedAt = this.injected.findIndex((limit) => limit.route === undefined || limit.route === route);
    if (injectedAt >= 0) {
      const [limit] = this.injected.splice(injectedAt, 1);
      this.refusals.push({ route, injected: true, retryAfterMs: limit!.retryAfterMs });
      return refusal(limit!.retryAfterMs, limit!.global ?? false, limit!.global ? {} : { "x-ratelimit-scope": "shared" });
    }
    const { limit, windowMs } = this.limits[route] ?? DEFAULT_BUCKET;
    const key = `${route}:${major}`;
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { used: 0, resetAt: now + windowMs };
      this.buckets.set(key, bucket);
    }
    const resetAfterMs = bucket.resetAt - now;
    const headers = {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-reset": (bucket.resetAt / 1000).toFixed(3),
      "x-ratelimit-reset-after": (resetAfterMs / 1000).toFixed(3),
      "x-ratelimit-bucket": createHash("sha1").update(route).digest("hex").slice(0, 16),
    };
    if (bucket.used >= limit) {
      this.refusals.push({ route, injected: false, retryAfterMs: resetAfterMs });
      const refused = refusal(resetAfterMs, false, { "x-ratelimit-scope": "user" });
      return { ...refused, headers: { ...headers, ...refused.headers, "x-ratelimit-remaining": "0" } };
    }
    bucket.used++;
    return { limited: false, headers: { ...headers, "x-ratelimit-remaining": String(limit - bucket.used) } };
  }
}

function refusal(retryAfterMs: number, global: boolean, extra: Record<string, string>): RateAnswer {
  return {
    limited: true,
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))), ...(global ? { "x-ratelimit-global": "true" } : {}), ...extra },
    body: { message: "You are being rate limited.", retry_after: Number((retryAfterMs / 1000).toFixed(3)), global },
  };
}
