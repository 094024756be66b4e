import { describe, before, after } from "node:test";
import { createSlackChannel } from "../../../src/channels/slack/index.ts";
import { startSlackEmulator, type SlackEmulator } from "../../emulators/slack/index.ts";
import { runChannelContract } from "../../channels/contract.ts";

describe("the Slack channel against the emulator", () => {
  let emulator: SlackEmulator;
  before(async () => {
    emulator = await startSlackEmulator();
  });
  after(() => emulator.close());

  const options = (id: string) => ({ id, botToken: emulator.botToken, apiUrl: `${emulator.url}/api/`, signingSecret: emulator.signingSecret, appToken: emulator.appToken });
  runChannelContract("slack (events)", (id) => createSlackChannel({ ...options(id), mode: "events" }));
  runChannelContract("slack (socket)", (id) => createSlackChannel({ ...options(id), mode: "socket" }));
});
