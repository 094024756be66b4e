import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Update } from "grammy/types";
import { classifyUpdate, type InboundSettings } from "../../../src/channels/telegram/inbound.ts";

const bot = { id: 999, username: "helper_bot" };
const settings: InboundSettings = { bot, requireMention: true };
const alice = { id: 1, is_bot: false, first_name: "Alice", last_name: "Liddell" };
const group = { id: -100, type: "supergroup", title: "Team" };

function update(message: Record<string, unknown>): Update {
  return { update_id: 1, message: { message_id: 10, date: 1, from: alice, chat: { id: 1, type: "private", first_name: "Alice" }, ...message } } as unknown as Update;
}

describe("classifyUpdate", () => {
  it("accepts a private message as a DM keyed by chat and message id", () => {
    const decision = classifyUpdate(update({ text: "hi" }), settings);
    assert.equal(decision.action, "accept");
    if (decision.action !== "accept") return;
    assert.equal(decision.message.eventId, "1:10");
    assert.deepEqual(decision.message.conversation, { id: "1", kind: "dm" });
    assert.deepEqual(decision.message.sender, { id: "1", name: "Alice Liddell" });
    assert.equal(decision.message.thread, undefined);
  });

  it("ignores group chatter, and accepts a mention (case-insensitive) without the mention in the text", () => {
    assert.equal(classifyUpdate(update({ chat: group, text: "hello all" }), settings).action, "ignore");
    const decision = classifyUpdate(update({ chat: group, text: "hey @Helper_Bot help", entities: [{ type: "mention", offset: 4, length: 11 }] }), settings);
    assert.equal(decision.action, "accept");
    if (decision.action === "accept") {
      assert.equal(decision.message.text, "hey help");
      assert.deepEqual(decision.message.conversation, { id: "-100", kind: "group" });
    }
  });

  it("does not take a mention of another bot for a mention of ours", () => {
    const other = update({ chat: group, text: "@helper_bot_two hi", entities: [{ type: "mention", offset: 0, length: 15 }] });
    assert.equal(classifyUpdate(other, settings).action, "ignore");
  });

  it("accepts a command addressed to the bot and a reply to the bot's message", () => {
    const command = classifyUpdate(update({ chat: group, text: "/ask@helper_bot why", entities: [{ type: "bot_command", offset: 0, length: 15 }] }), settings);
    assert.equal(command.action === "accept" && command.message.text, "/ask why");
    const reply = classifyUpdate(update({ chat: group, text: "and then?", reply_to_message: { message_id: 5, from: { id: 999, is_bot: true, first_name: "Bot" } } }), settings);
    assert.equal(reply.action, "accept");
  });

  it("maps a forum topic to a thread; the topic's implicit reply is not a reply to the bot", () => {
    const inTopic = update({ chat: { ...group, is_forum: true }, text: "@helper_bot x", entities: [{ type: "mention", offset: 0, length: 11 }], message_thread_id: 77, is_topic_message: true });
    const decision = classifyUpdate(inTopic, settings);
    assert.equal(decision.action === "accept" && decision.message.thread, "77");
    const implicit = update({ chat: { ...group, is_forum: true }, text: "x", message_thread_id: 77, is_topic_message: true, reply_to_message: { message_id: 77, from: { id: 999, is_bot: true, first_name: "Bot" } } });
    assert.equal(classifyUpdate(implicit, settings).action, "ignore");
  });

  it("ignores bots, the bot itself, edits, service messages and groups outside allowedChatIds", () => {
    assert.equal(classifyUpdate(update({ from: { id: 5, is_bot: true, first_name: "B" }, text: "x" }), settings).action, "ignore");
    assert.equal(classifyUpdate(update({ from: { id: 999, is_bot: true, first_name: "B" }, text: "x" }), settings).action, "ignore");
    assert.equal(classifyUpdate({ update_id: 2, edited_message: {} } as unknown as Update, settings).action, "ignore");
    assert.equal(classifyUpdate(update({ new_chat_members: [alice] }), settings).action, "ignore");
    const allowed = { ...settings, requireMention: false, allowedChatIds: new Set(["-5"]) };
    assert.equal(classifyUpdate(update({ chat: group, text: "x" }), allowed).action, "ignore");
    assert.equal(classifyUpdate(update({ text: "dm still fine" }), allowed).action, "accept");
  });

  it("keeps a photo's caption as text and the file as an attachment", () => {
    const decision = classifyUpdate(update({ caption: "look", photo: [{ file_id: "a", file_unique_id: "u1", width: 1, height: 1, file_size: 10 }] }), settings);
    assert.equal(decision.action === "accept" && decision.message.text, "look");
    assert.deepEqual(decision.action === "accept" && decision.message.attachments, [{ name: "photo-u1.jpg", mimeType: "image/jpeg", size: 10 }]);
  });
});
