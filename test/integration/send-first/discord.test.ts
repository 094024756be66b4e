/**
 * Sending first on Discord: a channel or thread id, or a user id whose DM the channel opens over
 * REST, becomes where the bot posts on the Discord emulator; bad targets are refused with the
 * forms Discord accepts; and replies to the first message (a Discord reply, a thread started from
 * it, an answer in the DM) continue in the session worked out from the address.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, startDiscordSetup, type DiscordSetup } from "../discord/setup.ts";
import { assertRefused, sendFirst, sessionOf, threadKeyFor } from "./helpers.ts";

const GENERAL = "1200000000000000700";
const CATEGORY = "1200000000000000701";
const ANN = "1200000000000000042";

describe("Discord: sending first", () => {
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
    s.emulator.addChannel(GENERAL, { name: "general" });
    s.emulator.world.addChannel({ id: CATEGORY, type: 4, guild_id: s.emulator.guildId, name: "Text channels" });
    s.emulator.addUser({ id: ANN, username: "ann", global_name: "Ann" });
  });
  after(() => s.stop());

  it("a channel id (bare or as <#id>) is where the message is posted, as a new message", async () => {
    const to = await s.channel.resolveTarget(GENERAL);
    assert.deepEqual(to, { conversation: GENERAL });
    assert.deepEqual(await s.channel.resolveTarget(`<#${GENERAL}>`), to);
    const sent = await sendFirst(s.channel, to, "Deploy **finished**");
    const [shown] = await botMessages(s.emulator, GENERAL);
    assert.equal(shown!.id, sent.platformId);
    assert.equal(shown!.content, "Deploy **finished**");
    assert.equal(shown!.message_reference, undefined, "not a reply to anything");
  });

  it("a thread id is posted into the thread, under its parent's conversation", async () => {
    const thread = s.emulator.addThread(GENERAL, { name: "release-notes" });
    const to = await s.channel.resolveTarget(thread.id);
    assert.deepEqual(to, { conversation: GENERAL, thread: thread.id });
    await sendFirst(s.channel, to, "Notes are up");
    const [shown] = await botMessages(s.emulator, thread.id);
    assert.equal(shown!.content, "Notes are up");
  });

  it("a user id opens the person's DM over REST, once (it is remembered), and the message arrives there", async () => {
    const to = await s.channel.resolveTarget(`<@${ANN}>`);
    assert.equal(to.user, ANN);
    const dm = s.emulator.world.channels.get(to.conversation);
    assert.equal(dm?.type, 1, "a DM channel");
    assert.deepEqual(await s.channel.resolveTarget(ANN), to, "a bare id that is no channel is a person");
    assert.deepEqual(await s.channel.resolveTarget(`user:${ANN}`), to);
    assert.equal(s.emulator.calls.filter((c) => c.route === "POST /users/@me/channels").length, 1, "opened through REST once");
    await sendFirst(s.channel, to, "Your build is green");
    const [shown] = await botMessages(s.emulator, to.conversation);
    assert.equal(shown!.content, "Your build is green");
  });

  it("a bad target is refused with the forms Discord accepts", async () => {
    await assertRefused(s.channel, "", 400, /channel or thread id.*user id for a DM/);
    await assertRefused(s.channel, "#general", 400, /"#general" is not a Discord target/);
    await assertRefused(s.channel, "1200000000000009999", 404, /no Discord channel or user 1200000000000009999/);
    await assertRefused(s.channel, "<#1200000000000009999>", 404, /no Discord channel 1200000000000009999/);
    await assertRefused(s.channel, "<@1200000000000009999>", 404, /no Discord user 1200000000000009999/);
    await assertRefused(s.channel, CATEGORY, 422, /is a category; messages cannot be posted in it directly/);
    await assertRefused(s.channel, `<@${s.emulator.botUserId}>`, 422, /does not let the bot message/);
  });

  it("a Discord reply to the first message in a channel continues the channel's session", async () => {
    const to = await s.channel.resolveTarget(GENERAL);
    const first = await sendFirst(s.channel, to, "Who owns the flaky test?");
    const reply = s.emulator.say({ user: ANN, channel: GENERAL, content: "I do", replyTo: first.platformId! });
    const session = await sessionOf(s.t, "discord", reply.id);
    assert.deepEqual(session.threadKey, threadKeyFor("discord", to, "group", "worker"));
    await waitFor(() => s.emulator.botMessages(GENERAL).find((m) => m.content === "ok: I do"), { what: "the answer" });
  });

  it("a thread started from the first message is the bot's: talk there is answered without a mention", async () => {
    const to = await s.channel.resolveTarget(GENERAL);
    const first = await sendFirst(s.channel, to, "Retro notes, discuss in the thread");
    const thread = s.emulator.addThread(GENERAL, { fromMessage: first.platformId! });
    const said = s.emulator.say({ user: ANN, channel: thread.id, content: "the build was slow" });
    const session = await sessionOf(s.t, "discord", said.id);
    assert.deepEqual(session.threadKey, threadKeyFor("discord", to, "group", "worker", thread.id));
    const [answer] = await botMessages(s.emulator, thread.id);
    assert.equal(answer!.content, "ok: the build was slow");
  });

  it("an answer in the DM continues the person's DM session", async () => {
    const to = await s.channel.resolveTarget(`<@${ANN}>`);
    const said = s.emulator.say({ user: ANN, channel: to.conversation, content: "thanks" });
    const session = await sessionOf(s.t, "discord", said.id);
    assert.deepEqual(session.threadKey, threadKeyFor("discord", to, "dm", "worker"));
    assert.ok(runs.some((r) => r.text === "thanks" && r.sessionId === session.id));
  });
});
