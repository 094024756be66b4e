import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeEnvelope, type Envelope } from "../../../src/core/envelope.ts";
import { Router, type RouteRule } from "../../../src/core/router.ts";
import { defaultStrategy, sessionTarget, type SessionTarget } from "../../../src/core/thread-key.ts";

/** A DM on the `api` channel (type http) from alice, unless the fields say otherwise. */
function envelope(fields: Partial<Envelope> = {}): Envelope {
  return makeEnvelope({
    channel: "api",
    source: "http",
    eventId: `evt-${Math.random()}`,
    sender: { id: "alice", email: "alice@example.com" },
    text: "hello",
    ...fields,
  });
}

const rule = (name: string, when: RouteRule["when"], agent = name): RouteRule => ({ name, when, then: { agent } });
const agentFor = (rules: RouteRule[], env: Envelope) => new Router(rules, "fallback").route(env).agent;

describe("Router", () => {
  it("the first matching rule wins", () => {
    const rules = [rule("billing", { keyword: "invoice" }), rule("catch-all", { always: true }), rule("never", { always: true })];
    const router = new Router(rules, "fallback");
    const decision = router.route(envelope({ text: "where is my invoice" }));
    assert.equal(decision.rule, "billing");
    assert.equal(decision.agent, "billing");
    assert.equal(router.route(envelope({ text: "hi" })).rule, "catch-all");
  });

  it("all conditions of one rule must match", () => {
    const rules = [rule("alice-billing", { keyword: "invoice", user_match: "alice" })];
    assert.equal(agentFor(rules, envelope({ text: "invoice please" })), "alice-billing");
    assert.equal(agentFor(rules, envelope({ text: "invoice please", sender: { id: "bob" } })), "fallback", "right keyword, wrong user");
    assert.equal(agentFor(rules, envelope({ text: "hello" })), "fallback", "right user, wrong keyword");
  });

  it("content_match is a case-insensitive regex on the text", () => {
    const rules = [rule("errors", { content_match: "error \\d{3}" })];
    assert.equal(agentFor(rules, envelope({ text: "I got ERROR 500 today" })), "errors");
    assert.equal(agentFor(rules, envelope({ text: "I got error five hundred" })), "fallback");
  });

  it("source_match matches the channel type", () => {
    const rules = [rule("web", { source_match: ["webchat", "slack"] })];
    assert.equal(agentFor(rules, envelope({ channel: "site", source: "webchat" })), "web");
    assert.equal(agentFor(rules, envelope({ channel: "webchat", source: "http" })), "fallback", "a channel id is not a source");
  });

  it("user_match matches the sender id or email", () => {
    const byId = [rule("vip", { user_match: "alice" })];
    const byEmail = [rule("vip", { user_match: ["bob@example.com"] })];
    assert.equal(agentFor(byId, envelope()), "vip");
    assert.equal(agentFor(byEmail, envelope({ sender: { id: "U123", email: "bob@example.com" } })), "vip");
    assert.equal(agentFor(byEmail, envelope({ sender: { id: "U123" } })), "fallback");
    assert.equal(agentFor(byId, envelope({ sender: { id: "alicia", email: "alice2@example.com" } })), "fallback");
  });

  it("channel_match matches the channel id or the conversation id", () => {
    const rules = [rule("support", { channel_match: ["support-api", "C0SUPPORT"] })];
    assert.equal(agentFor(rules, envelope({ channel: "support-api" })), "support");
    assert.equal(agentFor(rules, envelope({ conversation: { id: "C0SUPPORT", kind: "group" } })), "support");
    assert.equal(agentFor(rules, envelope({ conversation: { id: "C0GENERAL", kind: "group" } })), "fallback");
  });

  it("keyword matches whole words, case-insensitively", () => {
    const rules = [rule("billing", { keyword: ["invoice", "refund"] })];
    assert.equal(agentFor(rules, envelope({ text: "Invoice?" })), "billing");
    assert.equal(agentFor(rules, envelope({ text: "I want a REFUND." })), "billing");
    assert.equal(agentFor(rules, envelope({ text: "(invoice)" })), "billing");
    assert.equal(agentFor(rules, envelope({ text: "all my invoices" })), "fallback");
    assert.equal(agentFor(rules, envelope({ text: "preinvoice" })), "fallback");
    assert.equal(agentFor(rules, envelope({ text: "invoice_2024" })), "fallback");
  });

  it("keyword treats regex characters literally", () => {
    const rules = [rule("cpp", { keyword: "c++" })];
    assert.equal(agentFor(rules, envelope({ text: "help with c++ please" })), "cpp");
    assert.equal(agentFor(rules, envelope({ text: "help with cc please" })), "fallback");
  });

  it("always matches everything", () => {
    assert.equal(agentFor([rule("all", { always: true })], envelope({ text: "anything at all" })), "all");
  });

  it("without a matching rule the default agent takes the message with the channel's strategy", () => {
    const decision = new Router([rule("billing", { keyword: "invoice" })], "fallback").route(envelope({ text: "hi" }));
    assert.deepEqual(decision, { rule: undefined, agent: "fallback", threadStrategy: undefined, threadId: undefined, instruction: undefined });
  });

  it("a rule's then sets the strategy, thread id and instruction", () => {
    const router = new Router(
      [{ name: "pinned", when: { always: true }, then: { threadId: "sess-1", instruction: "Be brief." } }],
      "fallback",
    );
    assert.deepEqual(router.route(envelope()), { rule: "pinned", agent: "fallback", threadStrategy: "existing", threadId: "sess-1", instruction: "Be brief." });
  });
});

function keyOf(target: SessionTarget): string {
  assert.ok("threadKey" in target, `expected a thread key, got ${JSON.stringify(target)}`);
  return `${target.threadKey.channel}/${target.threadKey.key}`;
}

describe("thread keys", () => {
  const alice = envelope({ sender: { id: "alice" } });
  const bob = envelope({ sender: { id: "bob" } });

  it("DMs default to per user and rooms to per thread", () => {
    assert.equal(defaultStrategy(alice), "per_user");
    assert.equal(defaultStrategy(envelope({ conversation: { id: "C1", kind: "group" } })), "per_session");
  });

  it("two users never share a per_user session, even in one room", () => {
    const room = { id: "C1", kind: "group" as const };
    const a = envelope({ sender: { id: "alice" }, conversation: room });
    const b = envelope({ sender: { id: "bob" }, conversation: room });
    assert.notEqual(keyOf(sessionTarget(a, "helper", "per_user")), keyOf(sessionTarget(b, "helper", "per_user")));
    assert.equal(keyOf(sessionTarget(a, "helper", "per_user")), keyOf(sessionTarget(envelope({ sender: { id: "alice" } }), "helper", "per_user")));
  });

  it("per_channel shares one session per conversation", () => {
    const inC1 = (user: string) => envelope({ sender: { id: user }, conversation: { id: "C1", kind: "group" } });
    assert.equal(keyOf(sessionTarget(inC1("alice"), "helper", "per_channel")), keyOf(sessionTarget(inC1("bob"), "helper", "per_channel")));
    const inC2 = envelope({ conversation: { id: "C2", kind: "group" } });
    assert.notEqual(keyOf(sessionTarget(inC1("alice"), "helper", "per_channel")), keyOf(sessionTarget(inC2, "helper", "per_channel")));
  });

  it("per_session is one session per platform thread", () => {
    const at = (thread: string | undefined, user = "alice") => envelope({ sender: { id: user }, conversation: { id: "C1", kind: "group" }, thread });
    assert.equal(keyOf(sessionTarget(at("t1"), "helper", "per_session")), keyOf(sessionTarget(at("t1", "bob"), "helper", "per_session")));
    assert.notEqual(keyOf(sessionTarget(at("t1"), "helper", "per_session")), keyOf(sessionTarget(at("t2"), "helper", "per_session")));
    assert.notEqual(keyOf(sessionTarget(at("t1"), "helper", "per_session")), keyOf(sessionTarget(at(undefined), "helper", "per_session")));
  });

  it("per_session keys of different threads stay apart even when ids contain the key separator", () => {
    // Conversation and thread ids come from platforms and API callers; any character may appear in them.
    const a = envelope({ sender: { id: "alice" }, conversation: { id: "room|x", kind: "group" }, thread: "t" });
    const b = envelope({ sender: { id: "bob" }, conversation: { id: "room", kind: "group" }, thread: "x|t" });
    assert.notEqual(keyOf(sessionTarget(a, "helper", "per_session")), keyOf(sessionTarget(b, "helper", "per_session")));
  });

  it("singleton is one session across channels and users", () => {
    const slack = envelope({ channel: "slack", source: "slack", sender: { id: "U1" }, conversation: { id: "C9", kind: "group" } });
    assert.equal(keyOf(sessionTarget(alice, "helper", "singleton")), keyOf(sessionTarget(slack, "helper", "singleton")));
  });

  it("new is a fresh session for every event", () => {
    const first = envelope({ eventId: "e1" });
    const second = envelope({ eventId: "e2" });
    assert.notEqual(keyOf(sessionTarget(first, "helper", "new")), keyOf(sessionTarget(second, "helper", "new")));
    assert.equal(keyOf(sessionTarget(first, "helper", "new")), keyOf(sessionTarget(envelope({ eventId: "e1" }), "helper", "new")), "a redelivery maps to the same session");
  });

  it("keys differ per agent for every strategy", () => {
    for (const strategy of ["new", "per_user", "per_channel", "per_session", "singleton"] as const) {
      assert.notEqual(keyOf(sessionTarget(alice, "helper", strategy)), keyOf(sessionTarget(alice, "billing", strategy)), strategy);
    }
  });

  it("keys differ per channel, except for singleton", () => {
    const other = envelope({ channel: "api-2", sender: { id: "alice" } });
    for (const strategy of ["per_user", "per_channel", "per_session"] as const) {
      assert.notEqual(keyOf(sessionTarget(alice, "helper", strategy)), keyOf(sessionTarget(other, "helper", strategy)), strategy);
    }
  });

  it("existing returns the given session id", () => {
    assert.deepEqual(sessionTarget(bob, "helper", "existing", "sess-42"), { existingId: "sess-42" });
    assert.throws(() => sessionTarget(bob, "helper", "existing"), /threadId/);
  });
});
