/**
 * GitHub's rate limits, respected rather than hit. Every response's `x-ratelimit-*` headers say
 * how much of the hourly budget is left; polling stops short of the end (a reserve is kept for
 * answers) and resumes when the budget resets. A limit hit anyway (a 403 or 429: primary,
 * secondary, or `retry-after`) is waited out and the request retried; waits too long to sit
 * through inside one request surface as `RateLimitedError`, so the poller sleeps until then
 * and the outbox reschedules the reply, and nothing is skipped.
 */
import { SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";

export class RateLimitedError extends SwitchboardError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, cause?: unknown) {
    super(`GitHub rate limit: try again in ${Math.ceil(retryAfterMs / 1000)} s`, { status: 429, cause });
    this.retryAfterMs = retryAfterMs;
  }
}

export interface RateGuardOptions {
  log: Logger;
  /** Requests left in the budget at which polling (reads) pauses: 2% of the limit, at least 10, by default. */
  reserve?: number;
  /** Longer waits are not sat through inside a request; the caller gets a RateLimitedError. 60 s by default. */
  maxInlineWaitMs?: number;
  /** Attempts per request, counting the first. */
  maxAttempts?: number;
}

/** What the guard reads of a failed request (Octokit's RequestError has these). */
interface FailedRequest {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

type Headers = Record<string, string | number | undefined>;

/** GitHub's advice for a secondary limit that names no wait: at least a minute. */
const secondaryLimitWaitMs = 60_000;

export class RateGuard {
  private readonly options: RateGuardOptions;
  private readonly stopping = new AbortController();
  private remaining: number | undefined;
  private limit: number | undefined;
  private resetAtMs = 0;
  /** After a secondary limit, every request waits: GitHub counts them per identity, not per route. */
  private blockedUntilMs = 0;

  constructor(options: RateGuardOptions) {
    this.options = options;
  }

  /** Aborted by stop(): in-flight requests and waits end at once. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  stop(): void {
    this.stopping.abort(new SwitchboardError("the GitHub channel is stopping", { status: 503 }));
  }

  /** The budget as the last response reported it. */
  get budget(): { remaining: number | undefined; limit: number | undefined; resetAt: number } {
    return { remaining: this.remaining, limit: this.limit, resetAt: this.resetAtMs };
  }

  observe(headers: Headers | undefined): void {
    if (!headers) return;
    const remaining = numberHeader(headers["x-ratelimit-remaining"]);
    const reset = numberHeader(headers["x-ratelimit-reset"]);
    const limit = numberHeader(headers["x-ratelimit-limit"]);
    if (remaining !== undefined) this.remaining = remaining;
    if (limit !== undefined) this.limit = limit;
    if (reset !== undefined) this.resetAtMs = reset * 1000;
  }

  /** Waits (or throws RateLimitedError) until a request of this kind may go out. */
  async beforeRequest(write: boolean): Promise<void> {
    const wait = this.waitBefore(write, Date.now());
    if (wait <= 0) return;
    if (wait > this.maxInlineWaitMs) throw new RateLimitedError(wait);
    this.options.log.info("waiting for the GitHub rate limit", { waitMs: wait, remaining: this.remaining, write });
    await this.sleep(wait);
  }

  /** How long to wait before attempt `attempt + 1` of a failed request; undefined: don't retry. */
  retryDelay(error: unknown, attempt: number): number | undefined {
    if (attempt >= (this.options.maxAttempts ?? 5)) return undefined;
    const failed = error as FailedRequest;
    const status = failed.status;
    const headers = failed.response?.headers ?? {};
    this.observe(headers);
    const now = Date.now();
    if (status === 403 || status === 429) {
      const retryAfter = numberHeader(headers["retry-after"]);
      if (retryAfter !== undefined) {
        this.blockedUntilMs = Math.max(this.blockedUntilMs, now + retryAfter * 1000);
        return retryAfter * 1000;
      }
      if (numberHeader(headers["x-ratelimit-remaining"]) === 0) return Math.max(1000, this.resetAtMs - now + 1000);
      if (status === 429 || /secondary rate limit/i.test(failed.message ?? "")) {
        this.blockedUntilMs = Math.max(this.blockedUntilMs, now + secondaryLimitWaitMs * attempt);
        return secondaryLimitWaitMs * attempt;
      }
      return undefined; // a 403 that is not a limit: permissions, which waiting does not fix
    }
    // Server errors and lost connections (Octokit reports those as 500) pass; back off a little.
    if (status === undefined || status >= 500) return 1000 * 2 ** (attempt - 1);
    return undefined;
  }

  /** Abortable sleep; rejects when the channel stops. */
  sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const done = () => {
        signal.removeEventListener("abort", abort);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const abort = () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      };
      signal.addEventListener("abort", abort, { once: true });
    });
  }

  get maxInlineWaitMs(): number {
    return this.options.maxInlineWaitMs ?? 60_000;
  }

  private waitBefore(write: boolean, now: number): number {
    let wait = this.blockedUntilMs - now;
    if (this.remaining !== undefined && this.resetAtMs > now) {
      // Reads stop at the reserve, so answers can still go out; writes only at the very end.
      const floor = write ? 0 : this.reserve;
      if (this.remaining <= floor) wait = Math.max(wait, this.resetAtMs - now + 1000);
    }
    return wait;
  }

  private get reserve(): number {
    return this.options.reserve ?? Math.max(10, Math.ceil((this.limit ?? 5000) * 0.02));
  }
}

function numberHeader(value: string | number | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
