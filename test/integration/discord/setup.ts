/**
 * A gateway with a Discord channel pointed at the Discord emulator: REST through
 * `@discordjs/rest` at `emulator.apiUrl`, the gateway through `@discordjs/ws` at the URL the
 * emulator's `GET /gateway/bot` returns, and slash commands POSTed by the emulator to the
 * gateway's `/channels/discord`, signed with the emulator's application key.
 */
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import { createDiscordChannel, type DiscordChannel, type DiscordChannelOptions } from "../../../src/channels/discord/index.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import { startDiscordEmulator, type DiscordEmulator, type DiscordEmulatorOptions, type EmuMessage } from "../../emulators/discord/index.ts";
import { startChannelGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";

export interface DiscordSetupOptions {
  channel?: Partial<DiscordChannelOptions>;
  emulator?: DiscordEmulatorOptions;
  config?: SwitchboardConfigInput;
  setup?: (gw: Switchboard) => void;
}

export interface DiscordSetup {
  emulator: DiscordEmulator;
  t: TestGateway;
  channel: DiscordChannel;
  stop(): Promise<void>;
}

export async function startDiscordSetup(options: DiscordSetupOptions = {}): Promise<DiscordSetup> {
  const emulator = await startDiscordEmulator({ heartbeatIntervalMs: 1_000, ...options.emulator });
  const channel = createDiscordChannel({
    id: "discord",
    botToken: emulator.botToken,
    publicKey: emulator.publicKey,
    apiUrl: emulator.apiUrl,
    streaming: "off",
    ...options.channel,
  });
  const { t, stop } = await startChannelGateway({ channel, emulator, config: options.config ?? {}, setup: options.setup });
  emulator.setInteractionsUrl(`${t.url}/channels/${channel.id}`);
  try {
    if (options.channel?.gateway !== false) await waitFor(() => channel.gatewayStats?.connected, { what: "the Discord gateway connection" });
    else await waitFor(() => channel.botUserId, { what: "the Discord channel to start" });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    emulator,
    t,
    channel,
    stop,
  };
}

/** The bot's messages in a channel once there are at least `count`. */
export function botMessages(emulator: DiscordEmulator, channel: string, count = 1, timeoutMs = 10_000): Promise<EmuMessage[]> {
  return waitFor(
    () => {
      const messages = emulator.botMessages(channel);
      return messages.length >= count ? messages : undefined;
    },
    { what: `${count} bot message(s) in ${channel}`, timeoutMs },
  );
}
