import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { signedHeaders } from "../../emulators/webhook/index.ts";
import { CHANNEL_KEY, startWebhookSetup, type WebhookSetup } from "./setup.ts";

describe("webhook channel: who may post", () => {
  let s: WebhookSetup;
  const seen: string[] = [];

  before(async () => {
    s = await startWebhookSetup({
      config: { defaultAgent: "worker" },
      setup: (gw) =>
        gw.addAgent("worker", async (input) => {
          seen.push(input.text);
          return `ok: ${input.text}`;
        }),
    });
  });
  after(() => s.stop());

  it("a signed message is accepted with 202, and its reply arrives at the callback URL, signed", async () => {
    const response = await s.post({ id: "auth-1", user: { id: "alice", name: "Alice" }, text: "hello there" });
    assert.equal(response.status, 202);
    assert.equal(response.body.accepted, true);
    assert.equal(response.body.id, "auth-1");
    assert.equal(typeof response.body.sessionId, "string");
    assert.equal(typeof response.body.messageId, "string");
    const [callback] = await s.emulator.waitForCallbacks(1);
    assert.equal(callback!.text, "ok: hello there");
    assert.equal(callback!.inReplyTo, "auth-1");
    assert.equal(callback!.sessionId, response.body.sessionId);
    assert.deepEqual(callback!.user, { id: "alice" });
    assert.deepEqual(callback!.conversation, { id: "alice", kind: "dm" });
    assert.equal(callback!.part, 0);
    assert.equal(callback!.parts, 1);
    const attempt = s.emulator.attempts.find((a) => a.body?.id === callback!.id)!;
    assert.equal(attempt.verdict, "ok", "the receiver verified the callback's signature");
    assert.equal(attempt.headers["idempotency-key"], callback!.id);
  });

  it("a tampered body is refused with 401 and never reaches the agent", async () => {
    const original = JSON.stringify({ id: "auth-2", user: { id: "alice" }, text: "pay 10 euros" });
    const headers = s.emulator.sign(original);
    const tampered = original.replace("10", "9999");
    const response = await s.post(tampered, headers);
    assert.equal(response.status, 401);
    assert.match(response.body.error, /signature mismatch/);
    assert.ok(!seen.some((text) => text.includes("9999")));
  });

  it("a request signed with the wrong secret is refused with 401", async () => {
    const body = JSON.stringify({ id: "auth-3", user: { id: "mallory" }, text: "let me in" });
    const response = await s.post(body, signedHeaders("not-the-shared-secret-at-all", body));
    assert.equal(response.status, 401);
    assert.ok(!seen.includes("let me in"));
  });

  it("a replayed request whose timestamp is over 5 minutes old is refused", async () => {
    const body = JSON.stringify({ id: "auth-4", user: { id: "alice" }, text: "old news" });
    const response = await s.post(body, s.emulator.sign(body, { nowMs: Date.now() - 6 * 60_000 }));
    assert.equal(response.status, 401);
    assert.match(response.body.error, /stale request/);
  });

  it("the channel key as a bearer token is accepted instead of a signature; a wrong key is not", async () => {
    const message = { id: "auth-5", user: { id: "bob" }, text: "by key" };
    const good = await s.post(message, { authorization: `Bearer ${CHANNEL_KEY}` });
    assert.equal(good.status, 202);
    const bad = await s.post({ ...message, id: "auth-6" }, { authorization: "Bearer wrong-key-wrong-key-wrong" });
    assert.equal(bad.status, 401);
    assert.match(bad.body.error, /wrong channel key/);
    const none = await s.post({ ...message, id: "auth-7" }, {});
    assert.equal(none.status, 401);
    await s.emulator.waitForCallbacks(2);
    assert.deepEqual(seen.filter((text) => text === "by key"), ["by key"]);
  });

  it("a malformed message gets a 400 that names the field", async () => {
    const response = await s.post({ id: "auth-8", user: {}, text: "hi" });
    assert.equal(response.status, 400);
    assert.match(response.body.error, /user\.id/);
    const empty = await s.post({ id: "auth-8", user: { id: "x" }, text: "  " });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error, /text: give a non-empty text/);
    const unknownField = await s.post({ id: "auth-9", user: { id: "x" }, message: "typo" });
    assert.equal(unknownField.status, 400);
    assert.match(unknownField.body.error, /message/);
  });

  it("only POST /webhook (or /) is served", async () => {
    const get = await fetch(s.webhookUrl);
    assert.equal(get.status, 405);
    const other = await fetch(`${s.t.url}/channels/hook/elsewhere`, { method: "POST", body: "{}" });
    assert.equal(other.status, 404);
  });
});
