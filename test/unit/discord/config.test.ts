import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { discordChannelFromConfig, discordChannelSchema } from "../../../src/channels/discord/config.ts";

const publicKey = "ab".repeat(32);

describe("the discord config entry", () => {
  it("fills defaults and builds the channel", () => {
    const config = discordChannelSchema.parse({ type: "discord", botToken: "abc.def.ghi", publicKey, editInterval: "500ms", requireMention: "false" });
    assert.equal(config.gateway, true);
    assert.equal(config.commandName, "ask");
    assert.equal(config.requireMention, false);
    assert.equal(config.editInterval, 500);
    assert.equal(config.rateLimitWait, 2000);
    const channel = discordChannelFromConfig("dc", config);
    assert.equal(channel.type, "discord");
    assert.equal(channel.maxMessageLength, 2000);
  });

  it("says how to fix a config that cannot hear anything or has a bad key", () => {
    const deaf = discordChannelSchema.safeParse({ type: "discord", botToken: "abc", gateway: false });
    assert.equal(deaf.success, false);
    assert.match(JSON.stringify(deaf.error?.issues), /set publicKey, or gateway: true/);
    const badKey = discordChannelSchema.safeParse({ type: "discord", botToken: "abc", publicKey: "xyz" });
    assert.match(JSON.stringify(badKey.error?.issues), /Public Key/);
    const prefixed = discordChannelSchema.safeParse({ type: "discord", botToken: "Bot abc" });
    assert.equal(prefixed.success, false);
    assert.equal(discordChannelSchema.safeParse({ type: "discord", botToken: "abc", surprise: 1 }).success, false);
  });
});
