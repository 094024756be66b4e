import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { classifyEvent, cleanText, parseSlashCommand, slashCommandMessage, type InboundSettings } from "../../src/channels/slack/inbound.ts";

const settings: InboundSettings = { botUserId: "UBOT", botId: "BBOT", requireMention: true };
const callback = (event: Record<string, unknown>) => ({ type: "event_callback", event_id: "Ev1", team_id: "T1", event });
const dm = (extra: Record<string, unknown> = {}) => callback({ type: "message", channel_type: "im", channel: "D1", user: "U1", text: "hello", ts: "100.1", ...extra });
const room = (extra: Record<string, unknown> = {}) => callback({ type: "message", channel_type: "channel", channel: "C1", user: "U1", text: "hello", ts: "200.1", ...extra });
const mention = (extra: Record<string, unknown> = {}) => callback({ type: "app_mention", channel: "C1", user: "U1", text: "<@UBOT> hi there", ts: "300.1", ...extra });

function accepted(body: unknown, s: InboundSettings = settings) {
  const decision = classifyEvent(body, s);
  assert.equal(decision.action, "accept", decision.action === "ignore" ? decision.reason : decision.action);
  return (decision as Extract<typeof decision, { action: "accept" }>).message;
}
function ignored(body: unknown, s: InboundSettings = settings): string {
  const decision = classifyEvent(body, s);
  assert.equal(decision.action, "ignore");
  return (decision as { reason: string }).reason;
}

describe("Slack inbound: which events become messages", () => {
  it("a DM is a one-to-one conversation at the top level, with no thread", () => {
    const m = accepted(dm());
    assert.deepEqual(m.conversation, { id: "D1", kind: "dm" });
    assert.equal(m.thread, undefined);
    assert.equal(m.userId, "U1");
    assert.equal(m.text, "hello");
    assert.equal(m.eventId, "D1:100.1");
  });

  it("a DM reply in a thread keeps its thread", () => {
    assert.equal(accepted(dm({ ts: "100.2", thread_ts: "100.1" })).thread, "100.1");
  });

  it("an app_mention starts a thread keyed by its own ts, and the mention is stripped", () => {
    const m = accepted(mention());
    assert.deepEqual(m.conversation, { id: "C1", kind: "group" });
    assert.equal(m.thread, "300.1");
    assert.equal(m.text, "hi there");
  });

  it("the message event of a mention is the same message as its app_mention", () => {
    const fromMessage = accepted(room({ text: "<@UBOT> hi there", ts: "300.1" }));
    assert.equal(fromMessage.eventId, accepted(mention()).eventId);
    assert.equal(fromMessage.thread, "300.1");
  });

  it("a mention inside a thread replies in that thread", () => {
    assert.equal(accepted(mention({ ts: "300.5", thread_ts: "300.1" })).thread, "300.1");
  });

  it("require_mention: an unmentioned top-level channel message is ignored", () => {
    assert.match(ignored(room()), /require_mention/);
  });

  it("require_mention: an unmentioned thread reply is answered only in a thread the bot is part of", () => {
    const decision = classifyEvent(room({ ts: "200.5", thread_ts: "200.1" }), settings);
    assert.equal(decision.action, "accept-if-engaged");
    assert.equal(decision.action === "accept-if-engaged" ? decision.message.thread : "", "200.1");
  });

  it("without require_mention, every channel message is answered in its own thread", () => {
    const m = accepted(room(), { ...settings, requireMention: false });
    assert.equal(m.thread, "200.1");
  });

  it("allowed_channel_ids filters rooms but never DMs", () => {
    const only = { ...settings, allowedChannelIds: new Set(["C2"]) };
    assert.match(ignored(mention(), only), /allowed_channel_ids/);
    accepted(mention({ channel: "C2" }), only);
    accepted(dm(), only);
  });

  it("the bot's own messages and other bots' messages are dropped", () => {
    assert.match(ignored(dm({ user: "UBOT" })), /own message/);
    assert.match(ignored(dm({ bot_id: "BBOT" })), /bot/);
    assert.match(ignored(dm({ bot_id: "BOTHER", user: "UOTHERBOT" })), /bot/);
    assert.match(ignored(dm({ subtype: "bot_message", user: undefined })), /bot/);
    assert.match(ignored(mention({ user: "UBOT" })), /own message/);
  });

  it("edits, deletions and joins are not new messages", () => {
    for (const subtype of ["message_changed", "message_deleted", "channel_join", "channel_topic"]) {
      assert.match(ignored(dm({ subtype })), /subtype/, subtype);
    }
  });

  it("files become attachment metadata, without any token", () => {
    const file = { id: "F1", name: "report.pdf", mimetype: "application/pdf", size: 1234, url_private: "https://files.slack.com/files-pri/T1-F1/report.pdf", url_private_download: "https://files.slack.com/files-pri/T1-F1/download/report.pdf" };
    const m = accepted(dm({ subtype: "file_share", text: "", files: [file] }));
    assert.deepEqual(m.attachments, [{ name: "report.pdf", mimeType: "application/pdf", size: 1234, url: file.url_private }]);
    assert.doesNotMatch(JSON.stringify(m.attachments), /xox/);
  });

  it("an empty message and unsupported events are ignored", () => {
    assert.match(ignored(dm({ text: "   " })), /empty/);
    assert.match(ignored(callback({ type: "reaction_added", user: "U1" })), /reaction_added/);
    assert.match(ignored({ type: "url_verification", challenge: "x" }), /event_callback/);
    assert.match(ignored(null), /event_callback/);
  });

  it("other mentions are listed, and Slack's escapes are undone", () => {
    const m = accepted(mention({ text: "<@UBOT>: ask <@U2|bob> about a &lt;b&gt; &amp; c" }));
    assert.equal(m.text, "ask <@U2|bob> about a <b> & c");
    assert.deepEqual(m.mentions, ["U2"]);
  });

  it("removing the mention keeps the layout of the rest (code stays indented)", () => {
    assert.equal(cleanText("<@UBOT> fix:\n```\n  indented\n```", "UBOT"), "fix:\n```\n  indented\n```");
  });
});

describe("Slack slash commands", () => {
  const fields = { command: "/switchboard", text: "what is up", user_id: "U1", user_name: "ann", channel_id: "C1", trigger_id: "123.456.abc", team_id: "T1", response_url: "https://hooks.slack.com/commands/x" };

  it("a command becomes the user's own message, keyed by its trigger id", () => {
    const command = parseSlashCommand(fields);
    assert.ok(!("error" in command));
    const m = slashCommandMessage(command, settings);
    assert.equal(m.eventId, "command:123.456.abc");
    assert.deepEqual(m.conversation, { id: "C1", kind: "dm" });
    assert.equal(m.thread, undefined);
    assert.equal(m.text, "what is up");
    assert.equal(m.userName, "ann");
    assert.doesNotMatch(JSON.stringify(m.raw), /hooks\.slack\.com/);
  });

  it("`/switchboard new` and `/switchboard reset` start a new session", () => {
    for (const text of ["new", " Reset "]) {
      const command = parseSlashCommand({ ...fields, text });
      assert.ok(!("error" in command));
      assert.equal(slashCommandMessage(command, settings).text, "/new");
    }
  });

  it("a body that is not a command says what is missing", () => {
    const parsed = parseSlashCommand({ text: "x" });
    assert.ok("error" in parsed);
    assert.match(parsed.error, /command/);
  });
});
