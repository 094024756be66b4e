import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { TurnInput } from "../../../src/core/agent.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, startTelegramSetup, type TelegramSetup } from "./setup.ts";

const GROUP = -100_500;
const FORUM = -100_600;

describe("Telegram groups and forum topics", () => {
  let s: TelegramSetup;
  const inputs: TurnInput[] = [];
  before(async () => {
    s = await startTelegramSetup({
      config: { defaultAgent: "echo" },
      setup: (gw) =>
        gw.addAgent("echo", async (input) => {
          inputs.push(input);
          return `ok: ${input.text}`;
        }),
    });
    s.emulator.addGroup(GROUP, { title: "Team", supergroup: true });
    s.emulator.addGroup(FORUM, { title: "Forum", forum: true });
  });
  after(() => s.stop());

  const bot = () => `@${s.emulator.bot.username}`;

  it("answers a group only when mentioned, addressed by a command, or replied to, quoting the question", async () => {
    s.emulator.say({ chatId: GROUP, text: "just chatting among humans" });
    const { message: mention } = s.emulator.say({ chatId: GROUP, text: `${bot()} what time is it?` });
    const [first] = await botMessages(s.emulator, GROUP, 1);
    assert.equal(first!.text, "ok: what time is it?", "the mention is taken out of the text");
    assert.equal(first!.replyTo, mention.message_id, "the reply quotes the question");

    s.emulator.say({ chatId: GROUP, user: s.emulator.bob, text: "and a follow-up", replyTo: first!.messageId });
    s.emulator.say({ chatId: GROUP, text: `/ask${bot()} by command` });
    s.emulator.say({ chatId: GROUP, text: "/ask@someone_else_bot not for us" });
    const sent = await botMessages(s.emulator, GROUP, 3);
    await sleep(200);
    assert.deepEqual(
      s.emulator.sent(GROUP).map((m) => m.text),
      ["ok: what time is it?", "ok: and a follow-up", "ok: /ask by command"],
    );
    assert.equal(sent.length, 3);
    assert.ok(!inputs.some((i) => i.text.includes("among humans")));
  });

  it("gives each forum topic its own session and answers inside the topic", async () => {
    s.emulator.say({ chatId: FORUM, topic: "Ideas", text: `${bot()} remember: blue` });
    s.emulator.say({ chatId: FORUM, topic: "Bugs", text: `${bot()} remember: red` });
    const sent = await botMessages(s.emulator, FORUM, 2);
    const topics = new Set(sent.map((m) => m.threadId));
    assert.equal(topics.size, 2, "each reply in its topic");
    assert.ok(sent.every((m) => m.threadId !== undefined));
    const sessions = inputs.filter((i) => i.text.startsWith("remember")).map((i) => i.sessionId);
    assert.equal(new Set(sessions).size, 2, "two sessions");

    const ideas = sent.find((m) => m.text === "ok: remember: blue")!;
    s.emulator.say({ chatId: FORUM, topic: "Ideas", text: `${bot()} what did I say?` });
    await botMessages(s.emulator, FORUM, 3);
    const followUp = inputs.find((i) => i.text === "what did I say?")!;
    assert.equal(followUp.sessionId, sessions[0], "the same topic continues its session");
    assert.equal(s.emulator.sent(FORUM).at(-1)!.threadId, ideas.threadId);
  });

  it("shows typing in the chat (and topic) while the agent works", async () => {
    await waitFor(() => s.emulator.actions.some((a) => a.chatId === FORUM && a.action === "typing" && a.threadId !== undefined), { what: "a typing action in a topic" });
  });
});

describe("Telegram groups with requireMention: false", () => {
  it("answers every group message", async () => {
    const s = await startTelegramSetup({ channel: { requireMention: false }, config: { defaultAgent: "echo" }, setup: (gw) => gw.addAgent("echo", async (input) => `ok: ${input.text}`) });
    try {
      s.emulator.addGroup(GROUP, { title: "Team" });
      s.emulator.say({ chatId: GROUP, text: "no mention needed" });
      const [reply] = await botMessages(s.emulator, GROUP);
      assert.equal(reply!.text, "ok: no mention needed");
    } finally {
      await s.stop();
    }
  });
});
