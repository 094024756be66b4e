import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { webhookChannelFromConfig, webhookChannelSchema } from "../../../src/channels/webhook/config.ts";

const minimal = { type: "webhook", callbackUrl: "https://example.com/callback", signature: { secret: "0123456789abcdef0123" } };

function issues(input: unknown): string[] {
  const result = webhookChannelSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("webhook channel config", () => {
  it("fills the documented defaults", () => {
    const config = webhookChannelSchema.parse(minimal);
    assert.deepEqual(config.signature, {
      secret: minimal.signature.secret,
      algorithm: "sha256",
      header: "X-Switchboard-Signature",
      timestampHeader: "X-Switchboard-Timestamp",
      requireTimestamp: false,
      tolerance: 300_000,
    });
    assert.equal(config.callbackTimeout, 10_000);
    assert.equal(config.maxMessageLength, 32_000);
    assert.equal(config.format, "markdown");
    const channel = webhookChannelFromConfig("hook", config);
    assert.equal(channel.type, "webhook");
    assert.equal(channel.maxMessageLength, 32_000);
  });

  it("takes strings from ${VAR} for numbers, booleans and durations", () => {
    const config = webhookChannelSchema.parse({ ...minimal, maxMessageLength: "4000", callbackTimeout: "30s", signature: { ...minimal.signature, requireTimestamp: "true", tolerance: "2m" } });
    assert.equal(config.maxMessageLength, 4000);
    assert.equal(config.callbackTimeout, 30_000);
    assert.equal(config.signature.requireTimestamp, true);
    assert.equal(config.signature.tolerance, 120_000);
  });

  it("says how to fix what is wrong", () => {
    assert.match(issues({ ...minimal, signature: { secret: "short" } }).join("\n"), /signature\.secret: must be at least 16 characters/);
    assert.match(issues({ ...minimal, callbackUrl: "ftp://example.com" }).join("\n"), /callbackUrl: must be an http\(s\) URL/);
    assert.match(issues({ ...minimal, callbackUrl: "https://user:pw@example.com/cb" }).join("\n"), /callbackUrl: put credentials in callbackHeaders/);
    assert.match(issues({ ...minimal, key: minimal.signature.secret }).join("\n"), /key: must differ from signature\.secret/);
    assert.match(issues({ ...minimal, callbackHeaders: { "X-Switchboard-Signature": "x" } }).join("\n"), /callbackHeaders: X-Switchboard-Signature is set by the channel/);
    assert.match(issues({ ...minimal, signature: { ...minimal.signature, tolerance: "100ms" } }).join("\n"), /signature\.tolerance: must be at least 1s/);
    assert.match(issues({ ...minimal, callbackURL: "https://x" }).join("\n"), /callbackURL/);
    assert.match(issues({ type: "webhook", signature: minimal.signature }).join("\n"), /callbackUrl/);
  });
});
