import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from "@slack/web-api";
import { deliveryError } from "../../src/channels/slack/egress.ts";

describe("Slack Web API failures as delivery errors", () => {
  it("a 429 is retryable after Retry-After", () => {
    const error = deliveryError("chat.postMessage", new WebAPIRateLimitedError(7));
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 7_000);
    assert.match(error.message, /rate-limited chat\.postMessage; retry after 7 s/);
  });

  it("platform errors a person must fix are not retried, and say how to fix them", () => {
    const notInChannel = deliveryError("chat.postMessage", new WebAPIPlatformError({ ok: false, error: "not_in_channel" }));
    assert.equal(notInChannel.retryable, false);
    assert.match(notInChannel.message, /not_in_channel: invite the bot/);
    const auth = deliveryError("chat.postMessage", new WebAPIPlatformError({ ok: false, error: "invalid_auth" }));
    assert.equal(auth.retryable, false);
    assert.match(auth.message, /botToken/);
    const scope = deliveryError("chat.postMessage", new WebAPIPlatformError({ ok: false, error: "missing_scope", needed: "chat:write" } as never));
    assert.match(scope.message, /needs chat:write/);
  });

  it("Slack's own trouble (internal_error, 5xx, network) is retried", () => {
    assert.equal(deliveryError("chat.update", new WebAPIPlatformError({ ok: false, error: "internal_error" })).retryable, true);
    assert.equal(deliveryError("chat.update", new WebAPIHTTPError(503, "Service Unavailable", {})).retryable, true);
    assert.equal(deliveryError("chat.update", new WebAPIHTTPError(400, "Bad Request", {})).retryable, false);
    assert.equal(deliveryError("chat.update", new WebAPIRequestError(new Error("ECONNRESET"))).retryable, true);
  });

  it("never repeats a token that an underlying error quoted", () => {
    const error = deliveryError("chat.postMessage", new WebAPIRequestError(new Error("request with token=xoxb-1234567890-secret failed")));
    assert.doesNotMatch(error.message, /xoxb-1234567890/);
  });
});
