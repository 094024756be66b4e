import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { signedHeaders, SLACK_DOCUMENTED_EXAMPLE } from "../../emulators/slack/index.ts";
import type { Envelope } from "../../../src/core/envelope.ts";
import { createSlackChannel } from "../../../src/channels/slack/index.ts";
import { recordingContext } from "../../channels/contract.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, recordingAgent, startSlackSetup, type SlackSetup } from "./setup.ts";

describe("Slack Events API: a DM, a mention, a thread", () => {
  let s: SlackSetup;
  const agent = recordingAgent();
  const accepted: Envelope[] = [];
  before(async () => {
    s = await startSlackSetup({
      mode: "events",
      config: { defaultAgent: "recorder" },
      setup: (gw) => {
        gw.addAgent("recorder", agent.run);
        gw.use({
          accept: async (ctx, next) => {
            accepted.push(ctx.envelope);
            await next();
          },
        });
      },
    });
    s.emulator.addUser({ id: "UANN", name: "ann", displayName: "Ann Lee", realName: "Ann Marie Lee", email: "ann@example.com" });
    s.emulator.addUser({ id: "UBEN", name: "ben", realName: "Ben Ode", email: "ben@example.com" });
  });
  after(() => s.stop());

  it("url_verification echoes the challenge", async () => {
    const answer = await s.emulator.verifyUrl("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    assert.equal(answer.status, 200);
    assert.equal(answer.ok, true);
    assert.deepEqual(answer.body, { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("a DM gets a reply in the DM, at the top level", async () => {
    const delivery = await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "DANN", text: "hello there", channelType: "im" }));
    assert.equal(delivery.acked, true);
    const [reply] = await botMessages(s.emulator, "DANN");
    assert.equal(reply!.text, "ok: hello there");
    assert.equal(reply!.thread_ts, undefined);
  });

  it("the agent sees the sender's display name and email (users.info)", async () => {
    const input = agent.inputs.find((i) => i.text === "hello there");
    assert.deepEqual(input?.messages[0]?.sender, { id: "UANN", name: "Ann Lee", email: "ann@example.com" });
  });

  it("an app_mention in a channel gets a reply in its thread, without the mention", async () => {
    const mention = s.emulator.appMention({ user: "UANN", channel: "CROOM", text: `<@${s.emulator.botUserId}> what is the plan?` });
    await s.emulator.deliverEvent(mention);
    const [reply] = await botMessages(s.emulator, "CROOM");
    assert.equal(reply!.text, "ok: what is the plan?");
    assert.equal(reply!.thread_ts, mention.ts);
  });

  it("while the agent works, the thread shows Slack's thinking status", async () => {
    const threadTs = s.emulator.messages("CROOM")[0]!.thread_ts!;
    assert.ok(
      s.emulator.statusCalls.some((c) => c.channel_id === "CROOM" && c.thread_ts === threadTs && c.status === "is thinking…"),
      JSON.stringify(s.emulator.statusCalls),
    );
  });

  it("a thread reply without a mention continues the same session, in the thread", async () => {
    const root = agent.inputs.find((i) => i.text === "what is the plan?")!;
    const threadTs = s.emulator.messages("CROOM")[0]!.thread_ts!;
    await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "CROOM", text: "and after that?", threadTs, channelType: "channel" }));
    const replies = await botMessages(s.emulator, "CROOM", 2);
    assert.equal(replies[1]!.text, "ok: and after that?");
    assert.equal(replies[1]!.thread_ts, threadTs);
    const followUp = agent.inputs.find((i) => i.text === "and after that?")!;
    assert.equal(followUp.sessionId, root.sessionId);
    assert.deepEqual(followUp.transcript.map((e) => e.text), ["what is the plan?", "ok: what is the plan?"]);
  });

  it("two people in one channel thread share the thread's session (per-thread sessions in rooms)", async () => {
    const root = agent.inputs.find((i) => i.text === "what is the plan?")!;
    const threadTs = s.emulator.messages("CROOM")[0]!.thread_ts!;
    await s.emulator.deliverEvent(s.emulator.message({ user: "UBEN", channel: "CROOM", text: "I agree", threadTs, channelType: "channel" }));
    await botMessages(s.emulator, "CROOM", 3);
    const ben = agent.inputs.find((i) => i.text === "I agree")!;
    assert.equal(ben.sessionId, root.sessionId);
    assert.equal(ben.messages[0]!.sender.name, "ben", "Ben has no display name set; his user name stands in");
  });

  it("two people's DMs are two sessions", async () => {
    await s.emulator.deliverEvent(s.emulator.message({ user: "UBEN", channel: "DBEN", text: "private question", channelType: "im" }));
    await botMessages(s.emulator, "DBEN");
    const ann = agent.inputs.find((i) => i.text === "hello there")!;
    const ben = agent.inputs.find((i) => i.text === "private question")!;
    assert.notEqual(ann.sessionId, ben.sessionId);
    assert.deepEqual(ben.transcript, []);
  });

  it("require_mention: an unmentioned channel message, or one in a thread the bot is not in, reaches no agent", async () => {
    const before = agent.inputs.length;
    const top = s.emulator.message({ user: "UANN", channel: "CROOM", text: "just chatting", channelType: "channel" });
    await s.emulator.deliverEvent(top);
    await s.emulator.deliverEvent(s.emulator.message({ user: "UBEN", channel: "CROOM", text: "me too", threadTs: String(top.ts), channelType: "channel" }));
    await sleep(300);
    assert.equal(agent.inputs.length, before);
    assert.equal(s.emulator.messages("CROOM").length, 3);
  });

  it("a mention arrives as app_mention and as a message event: one reply", async () => {
    const text = `<@${s.emulator.botUserId}> once please`;
    const mention = s.emulator.appMention({ user: "UANN", channel: "CTWICE", text });
    const asMessage = s.emulator.message({ user: "UANN", channel: "CTWICE", text, ts: String(mention.ts), channelType: "channel" });
    await Promise.all([s.emulator.deliverEvent(mention), s.emulator.deliverEvent(asMessage)]);
    await botMessages(s.emulator, "CTWICE");
    await sleep(300);
    assert.deepEqual(s.emulator.messages("CTWICE").map((m) => m.text), ["ok: once please"]);
  });

  it("the bot's own messages and other bots' messages never reach the agent", async () => {
    const before = agent.inputs.length;
    const { botUserId, botId } = s.emulator;
    await s.emulator.deliverEvent(s.emulator.message({ user: botUserId, channel: "DANN", text: "ok: hello there", botId, channelType: "im" }));
    await s.emulator.deliverEvent(s.emulator.message({ user: "UOTHERBOT", channel: "DANN", text: "beep", botId: "BOTHER", channelType: "im" }));
    await s.emulator.deliverEvent(s.emulator.message({ user: "UOTHERBOT", channel: "DANN", text: "boop", subtype: "bot_message", channelType: "im" }));
    await s.emulator.deliverEvent(s.emulator.appMention({ user: botUserId, channel: "CROOM", text: `<@${botUserId}> talking to myself` }));
    await sleep(300);
    assert.equal(agent.inputs.length, before);
  });

  it("file attachments reach the envelope as metadata, without a token", async () => {
    const file = s.emulator.file({ name: "notes.txt", content: "some notes", user: "UANN" });
    await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "DANN", text: "see attached", channelType: "im", subtype: "file_share", files: [file] }));
    const envelope = await waitFor(() => accepted.find((e) => e.text === "see attached"));
    assert.deepEqual(envelope.attachments, [{ name: "notes.txt", mimeType: "text/plain", size: 10, url: file.url_private }]);
    assert.doesNotMatch(JSON.stringify(envelope), /xox[bp]-/);
    // …and the agent gets them with the message.
    const input = await waitFor(() => agent.inputs.find((i) => i.text === "see attached"));
    assert.deepEqual(input.messages[0]!.attachments, envelope.attachments);
  });

  it("a slash command is answered at once with an ephemeral note, and the reply is posted in its channel", async () => {
    const answer = await s.emulator.slashCommand({ command: "/switchboard", text: "summarize please", user: "UANN", channel: "CCMD" });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { response_type: "ephemeral", text: "Working on it…" });
    const [reply] = await botMessages(s.emulator, "CCMD");
    assert.equal(reply!.text, "ok: summarize please");
    // A command is the person's own request: it continues their DM session.
    const command = agent.inputs.find((i) => i.text === "summarize please")!;
    const dm = agent.inputs.find((i) => i.text === "hello there")!;
    assert.equal(command.sessionId, dm.sessionId);
  });

  it("an empty slash command gets its usage, and nothing reaches the agent", async () => {
    const before = agent.inputs.length;
    const answer = await s.emulator.slashCommand({ command: "/switchboard", text: "  ", user: "UANN", channel: "CCMD" });
    assert.equal(answer.status, 200);
    assert.match((answer.body as { text: string }).text, /^Usage: \/switchboard/);
    assert.equal(agent.inputs.length, before);
  });
});

describe("Slack Events API: signatures", () => {
  let s: SlackSetup;
  let calls = 0;
  before(async () => {
    s = await startSlackSetup({
      mode: "events",
      config: { defaultAgent: "counter" },
      setup: (gw) =>
        gw.addAgent("counter", () => {
          calls++;
          return "counted";
        }),
    });
    s.emulator.addChannel({ id: "DSIG", kind: "im", user: "USIG" });
  });
  after(() => s.stop());

  const event = () => JSON.stringify({ type: "event_callback", team_id: "T000EMU", event_id: `Ev${Math.random()}`, event: { type: "message", channel_type: "im", channel: "DSIG", user: "USIG", text: "let me in", ts: `${Date.now() / 1000}` } });
  const post = (body: string, headers: Record<string, string>) => fetch(`${s.t.url}/channels/slack`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  it("a correctly signed event is accepted (the control case)", async () => {
    const body = event();
    const response = await post(body, signedHeaders(s.emulator.signingSecret, body));
    assert.equal(response.status, 200);
    await waitFor(() => calls === 1, { what: "the agent" });
  });

  it("a tampered body, a stale timestamp and a missing header are each 401, and nothing reaches an agent", async () => {
    const before = calls;
    const body = event();
    const tampered = await post(body.replace("let me in", "let me in, now"), signedHeaders(s.emulator.signingSecret, body));
    const stale = await post(body, signedHeaders(s.emulator.signingSecret, body, Date.now() - 301_000));
    const headers = signedHeaders(s.emulator.signingSecret, body);
    const noSignature = await post(body, { "x-slack-request-timestamp": headers["x-slack-request-timestamp"]! });
    const noTimestamp = await post(body, { "x-slack-signature": headers["x-slack-signature"]! });
    const wrongSecret = await post(body, signedHeaders("not-the-secret", body));
    for (const [name, response] of Object.entries({ tampered, stale, noSignature, noTimestamp, wrongSecret })) {
      assert.equal(response.status, 401, name);
      assert.ok(((await response.json()) as { error?: string }).error, `${name} says why`);
    }
    await sleep(300);
    assert.equal(calls, before);
  });

  it("an unsigned url_verification is refused too", async () => {
    const response = await post(JSON.stringify({ type: "url_verification", challenge: "x" }), {});
    assert.equal(response.status, 401);
  });

  it("Slack's documented example request passes the channel's verification at its own time", async () => {
    const ex = SLACK_DOCUMENTED_EXAMPLE;
    const channel = createSlackChannel({
      id: "docs",
      mode: "events",
      botToken: s.emulator.botToken,
      signingSecret: ex.signingSecret,
      apiUrl: `${s.emulator.url}/api/`,
      now: () => Number(ex.timestamp) * 1000,
    });
    const ctx = recordingContext();
    await channel.start(ctx);
    try {
      const request = (signature: string) =>
        new Request("http://gw/channels/docs", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ex.timestamp, "x-slack-signature": signature },
          body: ex.body,
        });
      const ok = await channel.handleRequest({ request: request(ex.signature), subpath: "/", bodyLimit: 65_536 });
      assert.equal(ok.status, 200, "verified (the command has no text, so it answers with its usage)");
      assert.match(((await ok.json()) as { text: string }).text, /Usage: \/webhook-collect/);
      const bad = await channel.handleRequest({ request: request(ex.signature.replace("a2114", "a2115")), subpath: "/", bodyLimit: 65_536 });
      assert.equal(bad.status, 401);
      assert.equal(ctx.accepted.length, 0);
    } finally {
      await channel.stop();
    }
  });
});

describe("Slack Events API: require_mention off, allowed_channel_ids, and no loops", () => {
  let s: SlackSetup;
  const agent = recordingAgent();
  before(async () => {
    s = await startSlackSetup({
      mode: "events",
      emulator: { echoBotMessages: true },
      channel: { requireMention: false, allowedChannelIds: ["CALLOWED"] },
      config: { defaultAgent: "recorder" },
      setup: (gw) => gw.addAgent("recorder", agent.run),
    });
  });
  after(() => s.stop());

  it("without require_mention, a plain channel message is answered in its own thread", async () => {
    const message = s.emulator.message({ user: "UANN", channel: "CALLOWED", text: "no mention needed", channelType: "channel" });
    await s.emulator.deliverEvent(message);
    const [reply] = await botMessages(s.emulator, "CALLOWED");
    assert.equal(reply!.text, "ok: no mention needed");
    assert.equal(reply!.thread_ts, message.ts);
  });

  it("a channel outside allowed_channel_ids is ignored, even with a mention", async () => {
    const before = agent.inputs.length;
    await s.emulator.deliverEvent(s.emulator.appMention({ user: "UANN", channel: "CELSEWHERE", text: `<@${s.emulator.botUserId}> hello?` }));
    await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "CELSEWHERE", text: "anyone?", channelType: "channel" }));
    await sleep(300);
    assert.equal(agent.inputs.length, before);
    assert.equal(s.emulator.messages("CELSEWHERE").length, 0);
  });

  it("DMs are not restricted by allowed_channel_ids, and the bot's echoed reply does not loop", async () => {
    await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "DANN", text: "ping", channelType: "im" }));
    await botMessages(s.emulator, "DANN");
    // Slack echoes the bot's own DM post back as a message event (with bot_id); it must not be answered.
    await waitFor(() => s.emulator.deliveries.some((d) => (d.body.event as { bot_id?: string }).bot_id === s.emulator.botId), { what: "the echo" });
    await sleep(500);
    assert.deepEqual(s.emulator.messages("DANN").map((m) => m.text), ["ok: ping"]);
    assert.equal(agent.inputs.filter((i) => i.channel === "slack" && i.text.includes("ping")).length, 1);
  });
});
