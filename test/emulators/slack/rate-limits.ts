/**
 * Slack's Web API rate limits and the emulator's fault injection. Each method has a tier (a
 * number of calls per minute per app per workspace); chat.postMessage is limited per channel.
 * Over the limit, Slack answers HTTP 429 with `Retry-After` (seconds) and `{"ok":false,"error":"ratelimited"}`.
 */

/**
 * The tiers Slack documents for the methods the emulator serves. Slack publishes each tier as a
 * floor ("Tier 3: 50+ per minute") and tolerates bursts; the emulator enforces the floor as a
 * sliding one-minute window, which is the strictest reading. "Special" methods get the limit
 * Slack describes for them (chat.postMessage: about one message per second per channel).
 */
export const METHOD_LIMITS: Record<string, { tier: string; perMinute: number; perChannel?: boolean }> = {
  "auth.test": { tier: "special", perMinute: 100 },
  "chat.postMessage": { tier: "special", perMinute: 60, perChannel: true },
  "chat.update": { tier: "3", perMinute: 50 },
  "users.info": { tier: "4", perMinute: 100 },
  "conversations.info": { tier: "3", perMinute: 50 },
  "conversations.list": { tier: "2", perMinute: 20 },
  "conversations.open": { tier: "3", perMinute: 50 },
  "users.list": { tier: "2", perMinute: 20 },
  "users.lookupByEmail": { tier: "3", perMinute: 50 },
  "assistant.threads.setStatus": { tier: "special", perMinute: 100 },
  "apps.connections.open": { tier: "3", perMinute: 50 },
};

export type RateDecision = { limited: false } | { limited: true; retryAfter: number };

export class RateLimiter {
  private readonly calls = new Map<string, number[]>();
  private readonly overrides: Partial<Record<string, number>>;
  private readonly windowMs: number;

  constructor(overrides: Partial<Record<string, number>> = {}, windowMs = 60_000) {
    this.overrides = overrides;
    this.windowMs = windowMs;
  }

  /** Count a call, or refuse it with the seconds until the window has room again. Refused calls don't count. */
  check(method: string, channel?: string, now = Date.now()): RateDecision {
    const known = METHOD_LIMITS[method];
    const limit = this.overrides[method] ?? known?.perMinute;
    if (limit === undefined) return { limited: false };
    const key = known?.perChannel && channel ? `${method}:${channel}` : method;
    const recent = (this.calls.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= limit) {
      this.calls.set(key, recent);
      const oldest = recent[0] ?? now;
      return { limited: true, retryAfter: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.calls.set(key, recent);
    return { limited: false };
  }
}

export type InjectedFailure = { status: 429; retryAfter: number } | { status: number; error: string };

/** "Make the next N calls of this method fail": consumed one per call, in order. */
export class FailureQueue {
  private readonly queued = new Map<string, InjectedFailure[]>();

  add(method: string, n: number, failure: InjectedFailure): void {
    const list = this.queued.get(method) ?? [];
    for (let i = 0; i < n; i++) list.push(failure);
    this.queued.set(method, list);
  }

  take(method: string): InjectedFailure | undefined {
    const list = this.queued.get(method);
    const next = list?.shift();
    if (list && list.length === 0) this.queued.delete(method);
    return next;
  }
}
