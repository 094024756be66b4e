/**
 * Sending first on Slack: a target as a person writes it (#channel, channel id, @name, email,
 * user id) becomes a conversation the bot posts into through the Slack emulator's Web API, a bad
 * target is refused with the forms Slack accepts, and a reply to the first message continues in
 * the session worked out from the address.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, recordingAgent, startSlackSetup, type SlackSetup } from "../slack/setup.ts";
import { assertRefused, sendFirst, sessionOf, threadKeyFor } from "./helpers.ts";

describe("Slack: sending first", () => {
  let s: SlackSetup;
  const agent = recordingAgent();
  before(async () => {
    s = await startSlackSetup({ mode: "events", config: { defaultAgent: "recorder" }, setup: (gw) => gw.addAgent("recorder", agent.run) });
    // More channels than one page of conversations.list (the channel asks for 200 at a time).
    for (let i = 0; i < 250; i++) s.emulator.addChannel({ id: `C1${String(i).padStart(7, "0")}`, name: `team-${i}` });
    s.emulator.addChannel({ id: "CZZDEVUP1", name: "dev-updates" });
    s.emulator.addChannel({ id: "GZZSECRET", name: "leads", kind: "group" });
    s.emulator.addChannel({ id: "CZZOLD001", name: "old-news", archived: true });
    s.emulator.addUser({ id: "UANN00001", name: "ann", displayName: "Ann Lee", realName: "Ann Marie Lee", email: "ann@example.com" });
    s.emulator.addUser({ id: "UBEN00001", name: "ben", displayName: "Sam", realName: "Ben Ode", email: "ben@example.com" });
    s.emulator.addUser({ id: "USAM00001", name: "samuel", displayName: "Sam", realName: "Samuel Ek" });
  });
  after(() => s.stop());

  const calls = (method: string) => s.emulator.apiCalls.filter((c) => c.method === method).length;

  it("#name finds the channel across pages of conversations.list, and the message shows at its top level", async () => {
    const to = await s.channel.resolveTarget("#dev-updates");
    assert.deepEqual(to, { conversation: "CZZDEVUP1" });
    assert.equal(calls("conversations.list"), 2, "two pages read");
    const sent = await sendFirst(s.channel, to, "**Daily summary**: all green");
    const [shown] = await botMessages(s.emulator, "CZZDEVUP1");
    assert.equal(shown!.text, "*Daily summary*: all green");
    assert.equal(shown!.thread_ts, undefined, "a new message, not a thread reply");
    assert.equal(shown!.ts, sent.platformId);
  });

  it("names are looked up in a short-lived cache: a second send lists nothing again", async () => {
    const before = calls("conversations.list");
    assert.deepEqual(await s.channel.resolveTarget("dev-updates"), { conversation: "CZZDEVUP1" });
    assert.deepEqual(await s.channel.resolveTarget("#Dev-Updates"), { conversation: "CZZDEVUP1" });
    assert.deepEqual(await s.channel.resolveTarget("#leads"), { conversation: "GZZSECRET" }, "private channels the bot is in");
    assert.equal(calls("conversations.list"), before);
  });

  it("a channel id, or Slack's own <#C…|name> link, is checked with conversations.info", async () => {
    assert.deepEqual(await s.channel.resolveTarget("CZZDEVUP1"), { conversation: "CZZDEVUP1" });
    assert.deepEqual(await s.channel.resolveTarget("<#GZZSECRET|leads>"), { conversation: "GZZSECRET" });
  });

  it("@name, an email and a user id open the person's DM, and the message arrives there", async () => {
    const byName = await s.channel.resolveTarget("@ann");
    assert.match(byName.conversation, /^D[A-Z0-9]+$/);
    assert.equal(byName.user, "UANN00001");
    assert.deepEqual(await s.channel.resolveTarget("ann@example.com"), byName, "the same DM by email");
    assert.deepEqual(await s.channel.resolveTarget("UANN00001"), byName, "and by id");
    assert.deepEqual(await s.channel.resolveTarget("@Ann Lee"), byName, "and by display name");
    await sendFirst(s.channel, byName, "Your report is ready");
    const [shown] = await botMessages(s.emulator, byName.conversation);
    assert.equal(shown!.text, "Your report is ready");
  });

  it("a bad target is refused with what Slack accepts", async () => {
    await assertRefused(s.channel, "  ", 400, /#channel-name.*@user-name.*email/);
    await assertRefused(s.channel, "two words", 400, /not a Slack target; write #channel-name/);
    await assertRefused(s.channel, "#no-such-room", 404, /no Slack channel #no-such-room that the bot can see/);
    await assertRefused(s.channel, "#old-news", 404, /archived/);
    await assertRefused(s.channel, "CZZMISSING", 404, /no Slack conversation CZZMISSING/);
    await assertRefused(s.channel, "@nobody", 404, /no Slack user @nobody/);
    await assertRefused(s.channel, "nobody@example.com", 404, /no Slack user with the email nobody@example.com/);
    await assertRefused(s.channel, "UNOBODY01", 404, /no Slack user UNOBODY01/);
    await assertRefused(s.channel, s.emulator.botUserId, 422, /is a bot/);
    await assertRefused(s.channel, "@sam", 422, /could be any of UBEN00001, USAM00001/);
  });

  it("a thread reply to the first message in a channel, without a mention, continues the session of that thread", async () => {
    const to = await s.channel.resolveTarget("#dev-updates");
    const first = await sendFirst(s.channel, to, "Deploy finished. Questions?");
    const reply = s.emulator.message({ user: "UANN00001", channel: "CZZDEVUP1", text: "which version?", threadTs: first.platformId!, channelType: "channel" });
    await s.emulator.deliverEvent(reply);
    const session = await sessionOf(s.t, "slack", `CZZDEVUP1:${String(reply.ts)}`);
    assert.deepEqual(session.threadKey, threadKeyFor("slack", to, "group", "recorder", first.platformId));
    const answers = await waitFor(() => s.emulator.messages("CZZDEVUP1").filter((m) => m.thread_ts === first.platformId).at(0), { what: "the answer in the thread" });
    assert.equal(answers.text, "ok: which version?");
  });

  it("a DM reply to the first message continues the person's DM session", async () => {
    const to = await s.channel.resolveTarget("@ann");
    const reply = s.emulator.message({ user: "UANN00001", channel: to.conversation, text: "thanks!", channelType: "im" });
    await s.emulator.deliverEvent(reply);
    const session = await sessionOf(s.t, "slack", `${to.conversation}:${String(reply.ts)}`);
    assert.deepEqual(session.threadKey, threadKeyFor("slack", to, "dm", "recorder"));
    const shown = await botMessages(s.emulator, to.conversation, 2);
    assert.equal(shown[1]!.text, "ok: thanks!");
  });
});
