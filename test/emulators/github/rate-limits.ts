/**
 * GitHub's primary rate limit and the emulator's fault injection. Each identity (a user, the
 * installation's bot, the App) has a "core" budget per window; every counted request spends one,
 * and at zero GitHub answers 403 with `x-ratelimit-remaining: 0` until `x-ratelimit-reset`, when
 * the budget refills. Injected failures stand in for secondary limits and server errors.
 */
import { randomBytes } from "node:crypto";

export interface RateState {
  limit: number;
  remaining: number;
  used: number;
  /** When the window resets, in epoch seconds. */
  reset: number;
}

interface Budget {
  limit: number;
  remaining: number;
  resetAtMs: number;
}

/** Unauthenticated requests get GitHub's 60 an hour. */
const ANONYMOUS_LIMIT = 60;

export class PrimaryRateLimits {
  private readonly budgets = new Map<string, Budget>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Budgets are per identity; logins are case-insensitive, as on GitHub. */
  private budget(identity: string, nowMs: number): Budget {
    const key = identity.toLowerCase();
    let budget = this.budgets.get(key);
    if (!budget || budget.resetAtMs <= nowMs) {
      const limit = key === "anonymous" ? ANONYMOUS_LIMIT : this.limit;
      budget = { limit, remaining: limit, resetAtMs: nowMs + this.windowMs };
      this.budgets.set(key, budget);
    }
    return budget;
  }

  state(identity: string, nowMs = Date.now()): RateState {
    const b = this.budget(identity, nowMs);
    return { limit: b.limit, remaining: b.remaining, used: Math.max(0, b.limit - b.remaining), reset: Math.ceil(b.resetAtMs / 1000) };
  }

  /** Spend one request; false (and nothing spent) when the budget is gone. */
  spend(identity: string, nowMs = Date.now()): boolean {
    const b = this.budget(identity, nowMs);
    if (b.remaining <= 0) return false;
    b.remaining -= 1;
    return true;
  }

  set(identity: string, remaining: number, resetInMs: number | undefined, nowMs = Date.now()): void {
    const b = this.budget(identity, nowMs);
    b.remaining = Math.max(0, remaining);
    if (b.remaining > b.limit) b.limit = b.remaining;
    if (resetInMs !== undefined) b.resetAtMs = nowMs + resetInMs;
  }
}

export function rateHeaders(s: RateState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(s.limit),
    "x-ratelimit-remaining": String(s.remaining),
    "x-ratelimit-used": String(s.used),
    "x-ratelimit-reset": String(s.reset),
    "x-ratelimit-resource": "core",
  };
}

export interface InjectedFailure {
  status: 403 | 429 | 500 | 502 | 503;
  /** Seconds, sent as `retry-after` (403/429: a secondary rate limit). */
  retryAfter?: number;
  /** Only requests with this method (any case) count. */
  method?: string;
  /** Only requests whose path (no query) matches count. */
  path?: RegExp;
}

/** "The next N matching requests fail": each failure is used by the first request it matches. */
export class FailureQueue {
  private readonly queued: InjectedFailure[] = [];

  add(count: number, failure: InjectedFailure): void {
    for (let i = 0; i < count; i++) this.queued.push(failure);
  }

  take(method: string, path: string): InjectedFailure | undefined {
    const index = this.queued.findIndex((f) => (!f.method || f.method.toUpperCase() === method.toUpperCase()) && (!f.path || matches(f.path, path)));
    if (index < 0) return undefined;
    return this.queued.splice(index, 1)[0];
  }
}

function matches(pattern: RegExp, path: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between tests
  return pattern.test(path);
}

/** An id in the shape of GitHub's `x-github-request-id`, e.g. `5747:146C5C:C94FAE:1027DAA:67EDE45F`. */
export function requestId(): string {
  const hex = (bytes: number) => randomBytes(bytes).toString("hex").toUpperCase().replace(/^0+(?=.)/, "");
  return [hex(2), hex(3), hex(3), hex(4), hex(4)].join(":");
}

const support = (id: string, nowMs: number): string =>
  `If you reach out to GitHub Support for help, please include the request ID ${id} and timestamp ${new Date(nowMs).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC")}.`;

export const RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

/** The message of GitHub's primary-limit 403, e.g. "API rate limit exceeded for installation ID 2002. If you reach out…". */
export function primaryLimitMessage(subject: string, id: string, nowMs = Date.now()): string {
  return `API rate limit exceeded for ${subject}. ${support(id, nowMs)}`;
}

export function secondaryLimitMessage(id: string, nowMs = Date.now()): string {
  return `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ${support(id, nowMs)}`;
}

export const SERVER_ERROR_MESSAGES: Record<number, string> = { 500: "Server Error", 502: "Server Error", 503: "Service Unavailable" };
