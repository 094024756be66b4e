import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GraphError, graphDeliveryError } from "../../../src/channels/whatsapp/graph.ts";
import { SendRateLimiter } from "../../../src/channels/whatsapp/throughput.ts";
import { CustomerServiceWindows } from "../../../src/channels/whatsapp/window.ts";

const graph = (code: number | undefined, status = 400, retryAfterMs?: number) =>
  new GraphError("(#x) error", { status, ...(code !== undefined ? { code } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe("Graph API errors → delivery decisions", () => {
  const backoff = { throughputMs: 1_000, pairMs: 6_000 };

  it("retries Meta's throughput and pair-rate limits after a pause, and honours a longer Retry-After", () => {
    assert.deepEqual(pick(graphDeliveryError("send", graph(130429), backoff)), { retryable: true, retryAfterMs: 1_000 });
    assert.deepEqual(pick(graphDeliveryError("send", graph(131056), backoff)), { retryable: true, retryAfterMs: 6_000 });
    assert.deepEqual(pick(graphDeliveryError("send", graph(undefined, 429, 30_000), backoff)), { retryable: true, retryAfterMs: 30_000 });
  });

  it("retries server errors, network failures and Meta's temporary codes", () => {
    assert.equal(graphDeliveryError("send", graph(undefined, 503)).retryable, true);
    assert.equal(graphDeliveryError("send", graph(undefined, 0)).retryable, true);
    assert.equal(graphDeliveryError("send", graph(131000)).retryable, true);
    assert.equal(graphDeliveryError("send", new Error("socket hang up")).retryable, true);
  });

  it("fails for good on a bad token or a bad recipient, with a hint that says what to fix", () => {
    const token = graphDeliveryError("send", graph(190, 401));
    assert.equal(token.retryable, false);
    assert.match(token.message, /accessToken/);
    assert.match(graphDeliveryError("send", graph(131030)).message, /allowed list/);
  });
});

describe("the sender's pace per number", () => {
  it("lets a burst of its rate through, then spaces the rest", () => {
    let now = 0;
    const pacer = new SendRateLimiter(4, { now: () => now });
    assert.deepEqual([pacer.reserve(), pacer.reserve(), pacer.reserve(), pacer.reserve()], [0, 0, 0, 0]);
    assert.equal(pacer.reserve(), 250);
    now = 1_000;
    assert.equal(pacer.reserve(), 0);
  });
});

describe("the 24-hour customer-service window", () => {
  function memoryState() {
    const data = new Map<string, string>();
    return { get: async (k: string) => data.get(k), set: async (k: string, v: string) => void data.set(k, v) };
  }

  it("is open within 24 h of the user's last message and closed after, and a late redelivery does not move it back", async () => {
    let now = 1_000_000;
    const windows = new CustomerServiceWindows(memoryState(), () => now);
    await windows.userWrote("491701234567", now);
    await windows.userWrote("491701234567", now - 5_000);
    now += 23 * 3_600_000;
    assert.deepEqual(await windows.check("491701234567"), { open: true });
    now += 2 * 3_600_000;
    assert.deepEqual(await windows.check("491701234567"), { open: false, lastInboundMs: 1_000_000 });
  });

  it("remembers the window-closed template per closed window, and a new message resets that", async () => {
    let now = 0;
    const windows = new CustomerServiceWindows(memoryState(), () => now);
    await windows.userWrote("1555", 10);
    await windows.markTemplateSent("1555");
    assert.equal(await windows.templateSent("1555"), true);
    now = 100;
    await windows.userWrote("1555", 100);
    assert.equal(await windows.templateSent("1555"), false);
  });
});

function pick(error: { retryable: boolean; retryAfterMs: number | undefined }) {
  return { retryable: error.retryable, retryAfterMs: error.retryAfterMs };
}
