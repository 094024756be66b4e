import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { signatureHeaders, verifyWebhookSignature, webhookSignature, type SignatureSettings } from "../../../src/channels/webhook/signature.ts";

const settings: SignatureSettings = {
  secret: "shared-secret-0123456789",
  algorithm: "sha256",
  header: "X-Switchboard-Signature",
  timestampHeader: "X-Switchboard-Timestamp",
  requireTimestamp: false,
  toleranceMs: 300_000,
};
const now = 1_750_000_000_000;
const body = '{"id":"m1","user":{"id":"u1"},"text":"hi"}';

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

describe("webhook signatures", () => {
  it("match an HMAC computed independently over `<timestamp>.<body>`", () => {
    // Reference value from: printf '%s.%s' 1750000000 "$BODY" | openssl dgst -sha256 -hmac shared-secret-0123456789
    assert.equal(webhookSignature(settings.secret, "sha256", body, "1750000000"), "sha256=90557407c4a922755ca4737ffac99f9b4fda03e37a2c03742b3ab8c64359469d");
  });

  it("accept what signatureHeaders produced, and refuse a tampered body", () => {
    const signed = headers(signatureHeaders(settings, body, now));
    assert.deepEqual(verifyWebhookSignature(settings, signed, body, now), { ok: true });
    const verdict = verifyWebhookSignature(settings, signed, body.replace("hi", "ho"), now);
    assert.equal(verdict.ok, false);
    assert.match(!verdict.ok ? verdict.reason : "", /signature mismatch/);
  });

  it("refuse a signature made with another secret", () => {
    const signed = headers(signatureHeaders({ ...settings, secret: "another-secret-987654321" }, body, now));
    assert.equal(verifyWebhookSignature(settings, signed, body, now).ok, false);
  });

  it("refuse a timestamp more than the tolerance away, either side, and accept one just inside", () => {
    for (const skew of [-301_000, 301_000]) {
      const verdict = verifyWebhookSignature(settings, headers(signatureHeaders(settings, body, now + skew)), body, now);
      assert.match(!verdict.ok ? verdict.reason : "accepted", /stale request/, `skew ${skew}`);
    }
    assert.equal(verifyWebhookSignature(settings, headers(signatureHeaders(settings, body, now - 299_000)), body, now).ok, true);
  });

  it("accept a body-only signature unless requireTimestamp is set", () => {
    const bodyOnly = headers({ "x-switchboard-signature": webhookSignature(settings.secret, "sha256", body) });
    assert.equal(verifyWebhookSignature(settings, bodyOnly, body, now).ok, true);
    const verdict = verifyWebhookSignature({ ...settings, requireTimestamp: true }, bodyOnly, body, now);
    assert.match(!verdict.ok ? verdict.reason : "", /missing X-Switchboard-Timestamp/);
  });

  it("do not let a timestamp be swapped under a body-only signature", () => {
    const bodyOnly = webhookSignature(settings.secret, "sha256", body);
    const verdict = verifyWebhookSignature(settings, headers({ "x-switchboard-signature": bodyOnly, "x-switchboard-timestamp": String(now / 1000) }), body, now);
    assert.equal(verdict.ok, false);
  });

  it("name what is missing or malformed", () => {
    const missing = verifyWebhookSignature(settings, headers({}), body, now);
    assert.match(!missing.ok ? missing.reason : "", /missing X-Switchboard-Signature/);
    const wrongAlgorithm = verifyWebhookSignature(settings, headers({ "x-switchboard-signature": "sha1=abc" }), body, now);
    assert.match(!wrongAlgorithm.ok ? wrongAlgorithm.reason : "", /expected sha256=<hex>/);
    const badTimestamp = verifyWebhookSignature(settings, headers({ "x-switchboard-signature": "sha256=abc", "x-switchboard-timestamp": "yesterday" }), body, now);
    assert.match(!badTimestamp.ok ? badTimestamp.reason : "", /malformed/);
  });

  it("support sha512 with custom header names", () => {
    const custom: SignatureSettings = { ...settings, algorithm: "sha512", header: "X-Hub-Sig", timestampHeader: "X-Hub-Time" };
    const signed = signatureHeaders(custom, body, now);
    assert.match(signed["X-Hub-Sig"]!, /^sha512=[0-9a-f]{128}$/);
    assert.equal(verifyWebhookSignature(custom, headers(signed), body, now).ok, true);
  });

  it("agree with the openssl command from docs/webhook.md", (t) => {
    let hex: string;
    try {
      hex = execFileSync("sh", ["-c", `printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //'`], {
        env: { ...process.env, TS: "1750000000", BODY: body, SECRET: settings.secret },
        encoding: "utf8",
      }).trim();
    } catch {
      t.skip("openssl is not installed");
      return;
    }
    assert.equal(`sha256=${hex}`, webhookSignature(settings.secret, "sha256", body, "1750000000"));
  });
});
