/**
 * Sending first on the generic webhook: the callback URL is fixed in config, and the target
 * becomes the callback's conversation id; the receiver sees a signed callback that answers
 * nothing (`inReplyTo: null`), and a message it posts back in that conversation continues in
 * the session worked out from the address.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWebhookSetup, type WebhookSetup } from "../webhook/setup.ts";
import { assertRefused, sendFirst, sessionOf, threadKeyFor } from "./helpers.ts";

describe("webhook: sending first", () => {
  let s: WebhookSetup;
  before(async () => {
    s = await startWebhookSetup({ config: { agents: { helper: { kind: "echo", prefix: "echo: " } } } });
  });
  after(() => s.stop());

  it("the target becomes the conversation of a signed callback to the configured URL", async () => {
    const to = await s.channel.resolveTarget("  ticket-4711  ");
    assert.deepEqual(to, { conversation: "ticket-4711" });
    const sent = await sendFirst(s.channel, to, "The nightly export is **done**.");
    const [callback] = await s.emulator.waitForCallbacks(1);
    assert.equal(callback!.id, sent.platformId);
    assert.deepEqual(callback!.conversation.id, "ticket-4711");
    assert.equal(callback!.inReplyTo, null, "it answers nothing");
    assert.equal(callback!.user, null);
    assert.equal(callback!.text, "The nightly export is **done**.");
    assert.equal(s.emulator.attempts[0]!.verdict, "ok", "signed like every callback");
  });

  it("a bad target is refused with what the webhook accepts", async () => {
    await assertRefused(s.channel, "   ", 400, /a conversation id of up to 200 characters/);
    await assertRefused(s.channel, "x".repeat(201), 400, /201 characters/);
    await assertRefused(s.channel, "room\n7", 400, /control characters/);
  });

  it("a message the receiver posts back in that conversation continues its session", async () => {
    const to = await s.channel.resolveTarget("ticket-4711");
    const answer = await s.post({ id: "reply-1", user: { id: "agent-desk" }, text: "please close it", conversation: { id: "ticket-4711" } });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const session = await sessionOf(s.t, "hook", "reply-1");
    assert.deepEqual(session.threadKey, threadKeyFor("hook", to, "group", "helper"));
    const callbacks = await s.emulator.waitForCallbacks(2);
    assert.equal(callbacks[1]!.inReplyTo, "reply-1");
    assert.equal(callbacks[1]!.conversation.id, "ticket-4711");
  });
});
