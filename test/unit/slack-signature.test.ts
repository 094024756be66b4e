import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { slackSignature, SlackSignatureVerifier, verifySlackSignature } from "../../src/channels/slack/signature.ts";

// The example from Slack's "Verifying requests from Slack" documentation.
const docs = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body:
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};
const docsNow = Number(docs.timestamp) * 1000;

describe("Slack request signatures (v0)", () => {
  it("Slack's documented example signature verifies", () => {
    assert.equal(slackSignature(docs.secret, docs.timestamp, docs.body), docs.signature);
    assert.deepEqual(verifySlackSignature(docs.secret, docs, docsNow), { ok: true });
  });

  it("verifies raw bytes the same as the string", () => {
    assert.deepEqual(verifySlackSignature(docs.secret, { ...docs, body: Buffer.from(docs.body) }, docsNow), { ok: true });
  });

  it("a tampered body is refused", () => {
    const verdict = verifySlackSignature(docs.secret, { ...docs, body: docs.body.replace("roadrunner", "wile.e.coyote") }, docsNow);
    assert.equal(verdict.ok, false);
    assert.match(!verdict.ok ? verdict.reason : "", /signature mismatch/);
  });

  it("the wrong signing secret is refused", () => {
    assert.equal(verifySlackSignature("another-secret", docs, docsNow).ok, false);
  });

  it("a timestamp outside the 300 s window is refused either way, just inside is accepted", () => {
    const at = (offsetSeconds: number) => verifySlackSignature(docs.secret, docs, docsNow + offsetSeconds * 1000);
    assert.equal(at(301).ok, false);
    assert.equal(at(-301).ok, false);
    assert.match(!at(301).ok ? (at(301) as { reason: string }).reason : "", /stale/);
    assert.equal(at(299).ok, true);
    assert.equal(at(-299).ok, true);
  });

  it("missing or malformed headers are refused with a reason", () => {
    const reason = (v: ReturnType<typeof verifySlackSignature>) => (v.ok ? "" : v.reason);
    assert.match(reason(verifySlackSignature(docs.secret, { ...docs, signature: null }, docsNow)), /missing X-Slack-Signature/);
    assert.match(reason(verifySlackSignature(docs.secret, { ...docs, timestamp: undefined }, docsNow)), /missing X-Slack-Request-Timestamp/);
    assert.match(reason(verifySlackSignature(docs.secret, { ...docs, timestamp: "soon" }, docsNow)), /malformed/);
    assert.match(reason(verifySlackSignature(docs.secret, { ...docs, signature: docs.signature.replace("v0=", "v1=") }, docsNow)), /version/);
    assert.match(reason(verifySlackSignature(docs.secret, { ...docs, signature: "v0=abc" }, docsNow)), /mismatch/);
  });

  it("the verifier reads Slack's headers and uses its injected clock", () => {
    const headers = new Headers({ "x-slack-request-timestamp": docs.timestamp, "x-slack-signature": docs.signature });
    assert.deepEqual(new SlackSignatureVerifier(docs.secret, { now: () => docsNow }).verify(headers, docs.body), { ok: true });
    assert.equal(new SlackSignatureVerifier(docs.secret).verify(headers, docs.body).ok, false, "years later it is a replay");
  });
});
