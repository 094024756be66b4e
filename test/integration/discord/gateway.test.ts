import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, startDiscordSetup, type DiscordSetup } from "./setup.ts";

describe("Discord gateway: DMs, mentions and threads", () => {
  let s: DiscordSetup;
  const runs: Array<{ text: string; sessionId: string }> = [];

  before(async () => {
    s = await startDiscordSetup({
      config: { defaultAgent: "worker" },
      setup: (gw) =>
        gw.addAgent("worker", async (input) => {
          runs.push({ text: input.text, sessionId: input.sessionId });
          return `ok: ${input.text}`;
        }),
    });
    s.emulator.addChannel("600", { dm: true });
    s.emulator.addChannel("700", { name: "general" });
  });
  after(() => s.stop());

  const ran = (text: string) => runs.filter((r) => r.text === text);

  it("answers a DM, as a reply to it", async () => {
    const asked = s.emulator.say({ user: "42", channel: "600", content: "hello bot" });
    const [reply] = await botMessages(s.emulator, "600");
    assert.equal(reply!.content, "ok: hello bot");
    assert.equal(reply!.message_reference?.message_id, asked.id);
  });

  it("in a server channel answers an @mention (without the mention in the text), not other talk", async () => {
    s.emulator.say({ user: "42", channel: "700", content: "just chatting" });
    const asked = s.emulator.say({ user: "42", channel: "700", content: "what is 2+2?", mention: true });
    const [reply] = await botMessages(s.emulator, "700");
    assert.equal(reply!.content, "ok: what is 2+2?");
    assert.equal(reply!.message_reference?.message_id, asked.id);
    await sleep(200);
    assert.equal(ran("just chatting").length, 0);
    assert.equal(s.emulator.botMessages("700").length, 1);
  });

  it("answers a reply to its own message without a mention", async () => {
    const [mine] = s.emulator.botMessages("700");
    s.emulator.say({ user: "43", channel: "700", content: "and 3+3?", replyTo: mine!.id });
    const replies = await botMessages(s.emulator, "700", 2);
    assert.equal(replies[1]!.content, "ok: and 3+3?");
  });

  it("ignores other bots and its own messages", async () => {
    s.emulator.addUser({ id: "99", username: "otherbot", bot: true });
    s.emulator.say({ user: "99", channel: "600", content: "beep" });
    s.emulator.say({ user: s.emulator.botUserId, channel: "600", content: "echo" });
    await sleep(300);
    assert.equal(ran("beep").length + ran("echo").length, 0);
  });

  it("a thread is its own session; once engaged there, follow-ups without a mention are answered in the thread", async () => {
    const threadA = s.emulator.addThread("700", { name: "topic A" });
    const threadB = s.emulator.addThread("700", { name: "topic B" });
    s.emulator.say({ user: "42", channel: threadA.id, content: "remember the number 7", mention: true });
    await botMessages(s.emulator, threadA.id);
    s.emulator.say({ user: "42", channel: threadA.id, content: "which number?" });
    const inA = await botMessages(s.emulator, threadA.id, 2);
    assert.equal(inA[1]!.content, "ok: which number?");
    s.emulator.say({ user: "42", channel: threadB.id, content: "not addressed" });
    s.emulator.say({ user: "42", channel: threadB.id, content: "hello B", mention: true });
    await botMessages(s.emulator, threadB.id);
    const [first] = ran("remember the number 7");
    const [second] = ran("which number?");
    const [other] = ran("hello B");
    assert.equal(first!.sessionId, second!.sessionId, "one session per thread");
    assert.notEqual(first!.sessionId, other!.sessionId, "another thread, another session");
    assert.equal(ran("not addressed").length, 0);
  });

  it("a thread started from a message the bot answered counts as engaged", async () => {
    const asked = s.emulator.say({ user: "42", channel: "700", content: "start here", mention: true });
    await waitFor(() => ran("start here").length === 1, { what: "the answer" });
    const thread = s.emulator.addThread("700", { fromMessage: asked.id });
    s.emulator.say({ user: "42", channel: thread.id, content: "continuing in the thread" });
    const [reply] = await botMessages(s.emulator, thread.id);
    assert.equal(reply!.content, "ok: continuing in the thread");
  });

  it("the same MESSAGE_CREATE delivered twice yields one reply", async () => {
    const asked = s.emulator.say({ user: "44", channel: "600", content: "once only" });
    s.emulator.redeliver(asked.id);
    await waitFor(() => ran("once only").length === 1, { what: "the answer" });
    await sleep(300);
    assert.equal(ran("once only").length, 1);
    assert.equal(s.emulator.botMessages("600").filter((m) => m.content === "ok: once only").length, 1);
  });

  it("after a dropped connection it resumes, gets the missed messages replayed, and answers each once", async () => {
    const resumesBefore = s.channel.gatewayStats!.resumes;
    s.emulator.gateway.dropConnections(4000);
    s.emulator.say({ user: "45", channel: "600", content: "said while you were away" });
    await waitFor(() => s.channel.gatewayStats!.resumes > resumesBefore, { what: "a RESUME", timeoutMs: 15_000 });
    await waitFor(() => ran("said while you were away").length === 1, { what: "the missed message to be answered" });
    assert.equal(s.emulator.gateway.stats.identifies, 1, "resumed, not re-identified");
  });
});
