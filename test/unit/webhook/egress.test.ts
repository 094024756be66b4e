import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { callbackBody, retryAfterMs } from "../../../src/channels/webhook/egress.ts";

describe("webhook callbacks", () => {
  it("read Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    assert.equal(retryAfterMs("3", now), 3_000);
    assert.equal(retryAfterMs("0.5", now), 500);
    assert.equal(retryAfterMs("Wed, 01 Jan 2025 00:00:10 GMT", now), 10_000);
    assert.equal(retryAfterMs("Tue, 31 Dec 2024 23:00:00 GMT", now), 0, "a date in the past means now");
    assert.equal(retryAfterMs(null, now), undefined);
    assert.equal(retryAfterMs("soon", now), undefined);
  });

  it("carry the idempotency key as id, the part number from it, and what the reply answers", () => {
    const body = callbackBody(
      { to: { conversation: "room-1", thread: "t-1", user: "u-1" }, text: "second part", idempotencyKey: "turn-abc:1", sessionId: "s-1" },
      { inReplyTo: "m-1", kind: "group", metadata: { ticket: 3 } },
      2,
    );
    assert.deepEqual(body, {
      id: "turn-abc:1",
      inReplyTo: "m-1",
      sessionId: "s-1",
      conversation: { id: "room-1", kind: "group" },
      thread: "t-1",
      user: { id: "u-1" },
      text: "second part",
      part: 1,
      parts: 2,
      metadata: { ticket: 3 },
    });
  });

  it("still make a complete body for a reply without a reference (a message not from this webhook)", () => {
    const body = callbackBody({ to: { conversation: "c" }, text: "hi", idempotencyKey: "k", sessionId: "s" }, undefined, undefined);
    assert.deepEqual(body, { id: "k", inReplyTo: null, sessionId: "s", conversation: { id: "c", kind: "dm" }, thread: null, user: null, text: "hi", part: 0 });
  });
});
