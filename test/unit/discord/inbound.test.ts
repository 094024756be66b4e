import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { classifyMessage, parseSlashCommand, type DiscordMessagePayload } from "../../../src/channels/discord/inbound.ts";
import { decodeReplyRef, encodeReplyRef, isFirstPart } from "../../../src/channels/discord/reply-ref.ts";

const bot = "100";
const settings = { botUserId: bot, requireMention: true };
const message = (fields: Partial<DiscordMessagePayload>): DiscordMessagePayload => ({ id: "1", channel_id: "10", author: { id: "42", username: "alice" }, content: "hi", ...fields });

describe("Discord inbound classification", () => {
  it("accepts DMs and strips nothing from them", () => {
    const decision = classifyMessage(message({}), settings);
    assert.equal(decision.action, "accept");
    assert.equal(decision.action === "accept" && decision.message.text, "hi");
  });

  it("in servers needs a mention (removed from the text) or a reply to the bot", () => {
    assert.equal(classifyMessage(message({ guild_id: "9" }), settings).action, "accept-if-engaged");
    const mentioned = classifyMessage(message({ guild_id: "9", content: `<@${bot}>  what now?`, mentions: [{ id: bot }] }), settings);
    assert.equal(mentioned.action, "accept");
    assert.equal(mentioned.action === "accept" && mentioned.message.text, "what now?");
    assert.equal(classifyMessage(message({ guild_id: "9", content: `<@!${bot}> old style` }), settings).action, "accept");
    assert.equal(classifyMessage(message({ guild_id: "9", referenced_message: { author: { id: bot } } }), settings).action, "accept");
    assert.equal(classifyMessage(message({ guild_id: "9" }), { ...settings, requireMention: false }).action, "accept");
  });

  it("shows other people's mentions by name", () => {
    const decision = classifyMessage(message({ content: "ask <@7> about it", mentions: [{ id: "7", username: "bob", global_name: "Bob" }] }), settings);
    assert.equal(decision.action === "accept" && decision.message.text, "ask @Bob about it");
  });

  it("ignores bots, webhooks, itself, system messages, empty messages and servers not allowed", () => {
    assert.equal(classifyMessage(message({ author: { id: "5", bot: true } }), settings).action, "ignore");
    assert.equal(classifyMessage(message({ webhook_id: "5" }), settings).action, "ignore");
    assert.equal(classifyMessage(message({ author: { id: bot } }), settings).action, "ignore");
    assert.equal(classifyMessage(message({ type: 7 }), settings).action, "ignore");
    assert.equal(classifyMessage(message({ content: `<@${bot}>` }), settings).action, "ignore");
    assert.equal(classifyMessage(message({ guild_id: "9", content: `<@${bot}> hi` }), { ...settings, allowedGuildIds: new Set(["8"]) }).action, "ignore");
  });

  it("keeps attachments of a message", () => {
    const decision = classifyMessage(message({ content: "", attachments: [{ id: "a", filename: "log.txt", content_type: "text/plain", size: 12, url: "https://cdn.test/log.txt" }] }), settings);
    assert.deepEqual(decision.action === "accept" && decision.message.attachments, [{ name: "log.txt", mimeType: "text/plain", size: 12, url: "https://cdn.test/log.txt" }]);
  });
});

describe("Discord slash commands and reply refs", () => {
  it("reads the string options of /ask as the text, and the user from member or user", () => {
    const command = parseSlashCommand({
      id: "1",
      application_id: "2",
      token: "t",
      type: 2,
      guild_id: "9",
      channel: { id: "10", type: 11, parent_id: "8" },
      member: { nick: "Ali", user: { id: "42", username: "alice" } },
      data: { name: "ask", options: [{ name: "prompt", type: 3, value: "hello there" }] },
    });
    assert.ok(!("error" in command));
    assert.equal(command.text, "hello there");
    assert.equal(command.userName, "Ali");
    assert.equal(command.parentId, "8");
    assert.ok("error" in parseSlashCommand({ id: "1", application_id: "2", token: "t", type: 2 }));
  });

  it("round-trips reply refs and knows the first part of a reply", () => {
    const ref = { kind: "interaction", applicationId: "1", token: "t", expiresAt: 5 } as const;
    assert.deepEqual(decodeReplyRef(encodeReplyRef(ref)), ref);
    assert.equal(decodeReplyRef("not json"), undefined);
    assert.ok(isFirstPart("turn:0") && isFirstPart("turn:stream") && !isFirstPart("turn:10"));
  });
});
