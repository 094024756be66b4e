import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { whatsappChannelFromConfig, whatsappChannelSchema } from "../../../src/channels/whatsapp/config.ts";

const minimal = { type: "whatsapp", phoneNumberId: "106540352242922", accessToken: "EAAG-token", appSecret: "app-secret-1", verifyToken: "verify-me-please" };

describe("the whatsapp config entry", () => {
  it("fills the defaults and builds a channel", () => {
    const config = whatsappChannelSchema.parse(minimal);
    assert.equal(config.apiUrl, "https://graph.facebook.com");
    assert.equal(config.apiVersion, "v23.0");
    assert.equal(config.messagesPerSecond, 80);
    assert.equal(config.markRead, true);
    const channel = whatsappChannelFromConfig("wa", config);
    assert.equal(channel.type, "whatsapp");
    assert.equal(channel.maxMessageLength, 4096);
  });

  it("takes numbers and booleans written as strings (from ${VAR}) and a template with its language", () => {
    const config = whatsappChannelSchema.parse({ ...minimal, messagesPerSecond: "20", markRead: "false", templateOnWindowClosed: { name: "reopen_chat" } });
    assert.equal(config.messagesPerSecond, 20);
    assert.equal(config.markRead, false);
    assert.deepEqual(config.templateOnWindowClosed, { name: "reopen_chat", language: "en_US" });
  });

  it("says how to fix a phone number given instead of its id, a reused secret, and unknown keys", () => {
    const issues = (input: unknown) => whatsappChannelSchema.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    assert.match(issues({ ...minimal, phoneNumberId: "+1 555 078 3881" }).join(), /phoneNumberId: the numeric Phone number ID/);
    assert.match(issues({ ...minimal, verifyToken: minimal.appSecret + "x", appSecret: minimal.appSecret + "x" }).join(), /verifyToken: must differ from appSecret/);
    assert.match(issues({ ...minimal, webhookSecret: "x" }).join(), /webhookSecret/);
  });
});
