import { describe, before, after } from "node:test";
import { createDiscordChannel } from "../../../src/channels/discord/index.ts";
import { startDiscordEmulator, type DiscordEmulator } from "../../emulators/discord/index.ts";
import { runChannelContract } from "../../channels/contract.ts";

describe("the Discord channel against the emulator", () => {
  let emulator: DiscordEmulator;
  before(async () => {
    emulator = await startDiscordEmulator();
  });
  after(() => emulator.close());

  runChannelContract("discord", (id) => createDiscordChannel({ id, botToken: emulator.botToken, publicKey: emulator.publicKey, apiUrl: emulator.apiUrl }));
  runChannelContract("discord (interactions only)", (id) => createDiscordChannel({ id, botToken: emulator.botToken, publicKey: emulator.publicKey, apiUrl: emulator.apiUrl, gateway: false, streaming: "off" }));
});
