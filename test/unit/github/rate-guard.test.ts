import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateGuard, RateLimitedError } from "../../../src/channels/github/rate-guard.ts";
import { createLogger } from "../../../src/core/log.ts";

const log = createLogger({ level: "error" });
const inSeconds = (s: number) => String(Math.floor(Date.now() / 1000) + s);
const failure = (status: number, headers: Record<string, string> = {}, message = "") => ({ status, message, response: { headers } });

describe("the GitHub rate guard", () => {
  it("lets requests through while the budget lasts", async () => {
    const guard = new RateGuard({ log, reserve: 10 });
    guard.observe({ "x-ratelimit-remaining": "11", "x-ratelimit-limit": "5000", "x-ratelimit-reset": inSeconds(3600) });
    const started = Date.now();
    await guard.beforeRequest(false);
    assert.ok(Date.now() - started < 50);
  });

  it("stops reads at the reserve but lets writes (answers) use it", async () => {
    const guard = new RateGuard({ log, reserve: 10, maxInlineWaitMs: 60_000 });
    guard.observe({ "x-ratelimit-remaining": "10", "x-ratelimit-limit": "5000", "x-ratelimit-reset": inSeconds(3600) });
    await guard.beforeRequest(true);
    await assert.rejects(guard.beforeRequest(false), (error: unknown) => error instanceof RateLimitedError && error.retryAfterMs > 3_500_000);
  });

  it("waits a short reset out inline", async () => {
    const guard = new RateGuard({ log, reserve: 5 });
    guard.observe({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": inSeconds(0) });
    // A reset in the past does not block.
    await guard.beforeRequest(false);
    guard.observe({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 1) });
    const started = Date.now();
    await guard.beforeRequest(true);
    assert.ok(Date.now() - started >= 900, "waited for the reset");
  });

  it("takes a secondary limit's retry-after, and holds every request for that long", async () => {
    const guard = new RateGuard({ log });
    assert.equal(guard.retryDelay(failure(429, { "retry-after": "2" }), 1), 2000);
    assert.equal(guard.retryDelay(failure(403, { "retry-after": "1" }, "You have exceeded a secondary rate limit"), 1), 1000);
    const started = Date.now();
    await guard.beforeRequest(false);
    assert.ok(Date.now() - started >= 1500, "the 2 s block applies to the next request too");
  });

  it("waits for the reset after a primary-limit 403", () => {
    const guard = new RateGuard({ log });
    const delay = guard.retryDelay(failure(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": inSeconds(30) }, "API rate limit exceeded"), 1);
    assert.ok(delay !== undefined && delay > 29_000 && delay <= 32_000, `delay ${delay}`);
  });

  it("waits a minute for a secondary limit that names no wait", () => {
    const guard = new RateGuard({ log });
    assert.equal(guard.retryDelay(failure(403, {}, "You have exceeded a secondary rate limit."), 1), 60_000);
  });

  it("does not retry a permission 403, a 404 or a 422, and gives up after the last attempt", () => {
    const guard = new RateGuard({ log, maxAttempts: 3 });
    assert.equal(guard.retryDelay(failure(403, {}, "Resource not accessible by integration"), 1), undefined);
    assert.equal(guard.retryDelay(failure(404), 1), undefined);
    assert.equal(guard.retryDelay(failure(422), 1), undefined);
    assert.equal(guard.retryDelay(failure(502), 1), 1000);
    assert.equal(guard.retryDelay(failure(502), 2), 2000);
    assert.equal(guard.retryDelay(failure(502), 3), undefined);
  });

  it("ends its waits when stopped", async () => {
    const guard = new RateGuard({ log });
    const sleeping = guard.sleep(60_000);
    guard.stop();
    await assert.rejects(sleeping, /stopping/);
  });
});
