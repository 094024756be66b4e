import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startGateway, postJson, type TestGateway } from "../helpers/gateway.ts";

const echo = (prefix: string) => ({ kind: "echo" as const, prefix });

/** Send through a channel's webhook URL and return the reply body. */
async function send(t: TestGateway, body: Record<string, unknown>, channel = "api") {
  const res = await postJson(`${t.url}/channels/${channel}`, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { reply: string; session: string; agent: string };
}

describe("routing rules through the HTTP API", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway({
      defaultAgent: "helper",
      agents: {
        helper: echo("[helper] "),
        coder: echo("[coder] "),
        billing: echo("[billing] "),
        vip: echo("[vip] "),
        web: echo("[web] "),
        partner: echo("[partner] "),
      },
      channels: { api: { type: "http" }, partner: { type: "http" }, web: { type: "webchat" } },
      routes: [
        { name: "vips", when: { user_match: ["vip-1", "boss@example.com"] }, then: { agent: "vip" } },
        { name: "code", when: { content_match: "(fix|debug|refactor) .*code" }, then: { agent: "coder", threadStrategy: "per_user" } },
        { name: "billing", when: { keyword: ["invoice", "billing"] }, then: { agent: "billing", instruction: "Be polite." } },
        { name: "browsers", when: { source_match: "webchat" }, then: { agent: "web" } },
        { name: "partners", when: { channel_match: "partner" }, then: { agent: "partner", threadStrategy: "per_channel" } },
        { name: "rooms", when: { content_match: "^room:" }, then: { threadStrategy: "per_channel" } },
        { name: "threads", when: { content_match: "^thread:" }, then: { threadStrategy: "per_session" } },
        { name: "global", when: { content_match: "^global:" }, then: { threadStrategy: "singleton" } },
        { name: "fresh", when: { content_match: "^new:" }, then: { threadStrategy: "new" } },
        { name: "ops-log", when: { content_match: "^log:" }, then: { threadStrategy: "existing", threadId: "ops-log" } },
        { name: "vip-and-code", when: { user_match: "never", content_match: "." }, then: { agent: "vip" } },
      ],
    });
  });
  after(() => t.stop());

  it("content_match (case-insensitive regex) picks the agent", async () => {
    assert.equal((await send(t, { user: "u1", text: "please Fix this code" })).agent, "coder");
    assert.equal((await send(t, { user: "u1", text: "hello" })).agent, "helper");
  });

  it("user_match matches the sender id or email", async () => {
    assert.equal((await send(t, { user: "vip-1", text: "hi" })).agent, "vip");
    assert.equal((await send(t, { user: "someone", email: "boss@example.com", text: "hi" })).agent, "vip");
  });

  it("the first matching rule wins", async () => {
    // vip-1 also asks about code, but the vip rule comes first.
    assert.equal((await send(t, { user: "vip-1", text: "debug my code" })).agent, "vip");
  });

  it("all conditions of one rule must match", async () => {
    // The last rule needs user "never"; with any other user it does not apply.
    assert.equal((await send(t, { user: "u-and", text: "plain text" })).agent, "helper");
  });

  it("keyword matches whole words and the instruction is prepended", async () => {
    const reply = await send(t, { user: "u2", text: "where is my Invoice?" });
    assert.equal(reply.agent, "billing");
    assert.equal(reply.reply, "[billing] Be polite.\n\n<user-message>\nwhere is my Invoice?\n</user-message>");
    assert.equal((await send(t, { user: "u2", text: "invoices are fun" })).agent, "helper");
  });

  it("source_match matches the channel type", async () => {
    const res = await fetch(`${t.url}/channels/web/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client: "browser-0001", text: "hi from a page" }),
    });
    const text = await res.text();
    assert.match(text, /\[web\] hi from a page/);
  });

  it("channel_match matches the channel id, and per_channel shares one session per room", async () => {
    const a = await send(t, { user: "p1", text: "hi", conversation: "room-9" }, "partner");
    const b = await send(t, { user: "p2", text: "hi", conversation: "room-9" }, "partner");
    const c = await send(t, { user: "p1", text: "hi", conversation: "room-10" }, "partner");
    assert.equal(a.agent, "partner");
    assert.equal(a.session, b.session);
    assert.notEqual(a.session, c.session);
  });

  it("per_user: one session per sender, across conversations", async () => {
    const a = await send(t, { user: "coder-1", text: "fix the code", conversation: "room-1" });
    const b = await send(t, { user: "coder-1", text: "refactor my code", conversation: "room-2" });
    const c = await send(t, { user: "coder-2", text: "fix the code", conversation: "room-1" });
    assert.equal(a.session, b.session);
    assert.notEqual(a.session, c.session);
  });

  it("per_channel: one session per room, shared by its users", async () => {
    const a = await send(t, { user: "r1", text: "room: a", conversation: "lobby" });
    const b = await send(t, { user: "r2", text: "room: b", conversation: "lobby" });
    const c = await send(t, { user: "r1", text: "room: c", conversation: "kitchen" });
    assert.equal(a.session, b.session);
    assert.notEqual(a.session, c.session);
  });

  it("per_session: one session per platform thread", async () => {
    const a = await send(t, { user: "t1", text: "thread: a", conversation: "lobby", thread: "t-1" });
    const b = await send(t, { user: "t2", text: "thread: b", conversation: "lobby", thread: "t-1" });
    const c = await send(t, { user: "t1", text: "thread: c", conversation: "lobby", thread: "t-2" });
    assert.equal(a.session, b.session);
    assert.notEqual(a.session, c.session);
  });

  it("singleton: one global session for every user and channel", async () => {
    const a = await send(t, { user: "g1", text: "global: a" });
    const b = await send(t, { user: "g2", text: "global: b", conversation: "elsewhere" });
    assert.equal(a.session, b.session);
  });

  it("new: every message its own session", async () => {
    const a = await send(t, { user: "n1", text: "new: a" });
    const b = await send(t, { user: "n1", text: "new: b" });
    assert.notEqual(a.session, b.session);
  });

  it("existing (threadId): the named session, for everyone the rule sends there", async () => {
    const a = await send(t, { user: "l1", text: "log: disk full" });
    const b = await send(t, { user: "l2", text: "log: disk ok" });
    assert.equal(a.session, "ops-log");
    assert.equal(b.session, "ops-log");
  });

  it("no match: the default agent, in the sender's own session (a DM is per user)", async () => {
    const a = await send(t, { user: "d1", text: "hello" });
    const b = await send(t, { user: "d1", text: "again" });
    const c = await send(t, { user: "d2", text: "hello" });
    assert.equal(a.agent, "helper");
    assert.equal(a.session, b.session);
    assert.notEqual(a.session, c.session);
  });

  it("no match in a room thread: a new session for that thread, never shared with another thread", async () => {
    const a = await send(t, { user: "d1", text: "hello", conversation: "room-x", thread: "1" });
    const b = await send(t, { user: "d1", text: "hello", conversation: "room-x", thread: "2" });
    assert.notEqual(a.session, b.session);
  });

  it("the caller's agent overrides the rules and gets its own session", async () => {
    const a = await send(t, { user: "o1", text: "hello" });
    const b = await send(t, { user: "o1", text: "hello", agent: "billing" });
    assert.equal(b.agent, "billing");
    assert.notEqual(a.session, b.session);
  });
});

describe("the always condition", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway({
      defaultAgent: "helper",
      agents: { helper: echo("[helper] "), catchall: echo("[catchall] ") },
      routes: [{ name: "everything", when: { always: true }, then: { agent: "catchall" } }],
    });
  });
  after(() => t.stop());

  it("matches every message", async () => {
    assert.equal((await send(t, { user: "x", text: "anything at all" })).agent, "catchall");
    assert.equal((await send(t, { user: "y", text: "/something else" })).agent, "catchall");
  });
});
