import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deliveryError, isNotModified } from "../../../src/channels/telegram/api.ts";
import { telegramChannelSchema } from "../../../src/channels/telegram/config.ts";
import { createTelegramChannel } from "../../../src/channels/telegram/index.ts";
import { parseHtml, parseMarkdownV2 } from "../../emulators/telegram/markup.ts";

const token = "123456:AAE-abcdefghijklmnopqrstuvwxyz";

describe("Telegram errors → delivery", () => {
  it("a 429 is retryable after Telegram's retry_after", () => {
    const error = deliveryError("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } });
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 7_000);
  });

  it("a formatting or chat error is final and says how to fix it; 5xx and network errors retry", () => {
    const parse = deliveryError("sendMessage", { error_code: 400, description: "Bad Request: can't parse entities: Character '.' is reserved" });
    assert.equal(parse.retryable, false);
    assert.match(parse.message, /markdown conversion/);
    assert.equal(deliveryError("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" }).retryable, false);
    assert.equal(deliveryError("sendMessage", { error_code: 502, description: "Bad Gateway" }).retryable, true);
    assert.equal(deliveryError("sendMessage", new Error("socket hang up")).retryable, true);
  });

  it("recognises an edit that changed nothing", () => {
    assert.equal(isNotModified({ error_code: 400, description: "Bad Request: message is not modified: specified new message content" }), true);
    assert.equal(isNotModified({ error_code: 400, description: "Bad Request: chat not found" }), false);
  });
});

describe("Telegram config", () => {
  it("defaults to long polling and fills every default", () => {
    const config = telegramChannelSchema.parse({ type: "telegram", botToken: token });
    assert.equal(config.mode, "polling");
    assert.equal(config.requireMention, true);
    assert.equal(config.editInterval, 1000);
    assert.equal(config.pollerLeaseTtl, 30_000);
  });

  it("says what is missing for webhook mode", () => {
    const result = telegramChannelSchema.safeParse({ type: "telegram", botToken: token, mode: "webhook", setWebhook: true });
    assert.equal(result.success, false);
    const messages = result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    assert.ok(messages.some((m) => m.startsWith("secretToken: required when mode is webhook")), messages.join("; "));
    assert.ok(messages.some((m) => m.startsWith("publicUrl: required with setWebhook")), messages.join("; "));
  });

  it("refuses a token that is not a bot token", () => {
    assert.equal(telegramChannelSchema.safeParse({ type: "telegram", botToken: "xoxb-nope" }).success, false);
    assert.throws(() => createTelegramChannel({ id: "t", botToken: "nope" }), /botToken/);
  });

  it("without streaming has no edit method", () => {
    const channel = createTelegramChannel({ id: "t", botToken: token, streaming: "off" });
    assert.equal(channel.capabilities.edit, false);
    assert.equal(channel.edit, undefined);
  });
});

describe("the emulator's parser refuses what Telegram refuses", () => {
  it("an unescaped reserved character, an unclosed entity, a bad HTML tag", () => {
    assert.deepEqual(parseMarkdownV2("v1.2"), { ok: false, error: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'" });
    const unclosed = parseMarkdownV2("*bold");
    assert.ok(!unclosed.ok && unclosed.error.includes("Can't find end of Bold entity at byte offset 0"));
    assert.equal(parseHtml("<div>x</div>").ok, false);
    assert.equal(parseHtml("a < b").ok, false);
    assert.deepEqual(parseMarkdownV2("*b* \\. `c\\``"), { ok: true, text: "b . c`", entities: [{ type: "bold", offset: 0, length: 1 }, { type: "code", offset: 4, length: 2 }] });
  });
});
