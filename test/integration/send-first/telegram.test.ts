/**
 * Sending first on Telegram: a numeric chat id or a public group's or channel's @username becomes
 * the chat the bot posts in on the Telegram emulator (checked with getChat first), a chat the bot
 * cannot reach is refused with what Telegram needs, and a reply to the first message continues
 * in the session worked out from the address.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import type { TurnInput } from "../../../src/core/agent.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { startTelegramSetup, type TelegramSetup } from "../telegram/setup.ts";
import { assertRefused, sendFirst, sessionOf, threadKeyFor } from "./helpers.ts";

const TEAM = -1001200000001;
const NEWS = -1001200000002;

describe("Telegram: sending first", () => {
  let s: TelegramSetup;
  const inputs: TurnInput[] = [];
  before(async () => {
    s = await startTelegramSetup({
      config: { defaultAgent: "recorder" },
      setup: (gw) =>
        gw.addAgent("recorder", async (input) => {
          inputs.push(input);
          return `ok: ${input.text}`;
        }),
    });
    s.emulator.addGroup(TEAM, { title: "Acme team", username: "acme_team" });
    s.emulator.addChannel(NEWS, { title: "Acme news", username: "acme_news" });
    // Alice started the bot once: only then may it write to her.
    s.emulator.say({ text: "/start" });
    await waitFor(() => s.emulator.sent(s.emulator.alice.id).length === 1, { what: "the answer to /start" });
  });
  after(() => s.stop());

  const lastSent = (chat: number) => s.emulator.sent(chat).at(-1);

  it("a person's numeric chat id: the message arrives in their private chat with the bot", async () => {
    const to = await s.channel.resolveTarget(String(s.emulator.alice.id));
    assert.deepEqual(to, { conversation: "1001", user: "1001" });
    const sent = await sendFirst(s.channel, to, "Your **report** is ready");
    const shown = lastSent(s.emulator.alice.id)!;
    assert.equal(shown.text, "Your report is ready");
    assert.equal(String(shown.messageId), sent.platformId);
    assert.equal(shown.replyTo, undefined, "a new message, not a reply");
  });

  it("a public channel by @username, or its t.me link: posted as the channel", async () => {
    const to = await s.channel.resolveTarget("@acme_news");
    assert.deepEqual(to, { conversation: String(NEWS) });
    assert.deepEqual(await s.channel.resolveTarget("https://t.me/acme_news"), to);
    await sendFirst(s.channel, to, "Release 2.0 is out");
    const shown = lastSent(NEWS)!;
    assert.equal(shown.text, "Release 2.0 is out");
    assert.equal((shown.message as { sender_chat?: { id: number } }).sender_chat?.id, NEWS);
  });

  it("a bad target is refused with the forms Telegram accepts", async () => {
    await assertRefused(s.channel, "", 400, /numeric chat id.*@username/);
    await assertRefused(s.channel, "acme news", 400, /"acme news" is not a Telegram chat/);
    await assertRefused(s.channel, "424242", 404, /the bot has no chat 424242: a person must write to the bot first/);
    await assertRefused(s.channel, "@nobody_here", 404, /no public Telegram group or channel @nobody_here/);
    assert.equal(s.emulator.sent(424242).length, 0);
  });

  it("in a group, a reply to the first message continues the group's session", async () => {
    const to = await s.channel.resolveTarget("@acme_team");
    assert.deepEqual(to, { conversation: String(TEAM) });
    const first = await sendFirst(s.channel, to, "Stand-up in 5 minutes. Who is late?");
    const { message } = s.emulator.say({ text: "me, sorry", user: s.emulator.bob, chatId: TEAM, replyTo: Number(first.platformId) });
    const session = await sessionOf(s.t, "telegram", `${TEAM}:${message.message_id}`);
    assert.deepEqual(session.threadKey, threadKeyFor("telegram", to, "group", "recorder"));
    const answer = await waitFor(() => s.emulator.sent(TEAM).find((m) => m.text === "ok: me, sorry"), { what: "the answer in the group" });
    assert.equal(answer.replyTo, message.message_id);
  });

  it("in a private chat, the person's answer continues their session with the bot", async () => {
    const to = await s.channel.resolveTarget(String(s.emulator.alice.id));
    const { message } = s.emulator.say({ text: "thanks" });
    const session = await sessionOf(s.t, "telegram", `${s.emulator.alice.id}:${message.message_id}`);
    assert.deepEqual(session.threadKey, threadKeyFor("telegram", to, "dm", "recorder"));
    assert.ok(inputs.some((i) => i.text === "thanks" && i.sessionId === session.id));
  });
});
