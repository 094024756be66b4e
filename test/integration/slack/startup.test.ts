import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSlackChannel } from "../../../src/channels/slack/index.ts";
import type { ConfigError } from "../../../src/core/errors.ts";
import { startSlackEmulator, type SlackEmulator } from "../../emulators/slack/index.ts";
import { recordingContext } from "../../channels/contract.ts";

describe("starting a Slack channel", () => {
  let emulator: SlackEmulator;
  before(async () => {
    emulator = await startSlackEmulator();
  });
  after(() => emulator.close());

  it("learns the bot's user id from auth.test", async () => {
    const channel = createSlackChannel({ id: "s", mode: "events", botToken: emulator.botToken, signingSecret: "x", apiUrl: `${emulator.url}/api/` });
    await channel.start(recordingContext());
    assert.equal(channel.botUserId, emulator.botUserId);
    await channel.stop();
  });

  it("a wrong bot token fails with a message that says what to fix, and never the token", async () => {
    const channel = createSlackChannel({ id: "s", mode: "events", botToken: "xoxb-wrong-token-1234567", signingSecret: "x", apiUrl: `${emulator.url}/api/` });
    await assert.rejects(channel.start(recordingContext()), (error: Error) => {
      assert.match(error.message, /invalid_auth/);
      assert.match(error.message, /botToken/);
      assert.doesNotMatch(error.message, /xoxb-wrong/);
      return true;
    });
  });

  it("a wrong app token fails Socket Mode with a message that says what to fix", async () => {
    const channel = createSlackChannel({ id: "s", mode: "socket", botToken: emulator.botToken, appToken: "xapp-wrong-token-1234567", apiUrl: `${emulator.url}/api/` });
    await assert.rejects(channel.start(recordingContext()), (error: Error) => {
      assert.match(error.message, /invalid_auth: check the app-level token/);
      assert.doesNotMatch(error.message, /xapp-wrong/);
      return true;
    });
    assert.equal(emulator.socketConnections, 0);
  });

  it("missing credentials are a config error naming the setting", () => {
    assert.throws(() => createSlackChannel({ id: "s", mode: "events", botToken: emulator.botToken }), (error: ConfigError) => /channels\.s\.signingSecret/.test(error.message));
    assert.throws(() => createSlackChannel({ id: "s", mode: "socket", botToken: emulator.botToken }), (error: ConfigError) => /channels\.s\.appToken/.test(error.message));
    assert.throws(() => createSlackChannel({ id: "s", mode: "events", botToken: "xapp-1", signingSecret: "x" }), (error: ConfigError) => /channels\.s\.botToken/.test(error.message));
  });
});
