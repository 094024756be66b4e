/**
 * A gateway with a Slack channel pointed at the Slack emulator, for the Slack tests. The channel
 * talks to the emulator only through the official SDKs (WebClient, SocketModeClient) at
 * `emulator.url + "/api/"`; in `events` mode the emulator POSTs to the gateway's channel URL.
 */
import type { TurnInput } from "../../../src/core/agent.ts";
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import { createSlackChannel, type SlackChannel, type SlackChannelOptions } from "../../../src/channels/slack/index.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import { startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from "../../emulators/slack/index.ts";
import { startChannelGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";

export interface SlackSetupOptions {
  mode: "events" | "socket";
  channel?: Partial<SlackChannelOptions>;
  emulator?: SlackEmulatorOptions;
  /** An existing emulator (several gateways in turn, or several channels on one). */
  reuse?: SlackEmulator;
  config?: SwitchboardConfigInput;
  setup?: (gw: Switchboard) => void;
}

export interface SlackSetup {
  emulator: SlackEmulator;
  t: TestGateway;
  channel: SlackChannel;
  /** Stop the gateway, and the emulator unless it was reused. */
  stop(): Promise<void>;
}

export async function startSlackSetup(options: SlackSetupOptions): Promise<SlackSetup> {
  const emulator = options.reuse ?? (await startSlackEmulator(options.emulator));
  const channel = createSlackChannel({
    id: "slack",
    mode: options.mode,
    botToken: emulator.botToken,
    signingSecret: emulator.signingSecret,
    appToken: emulator.appToken,
    apiUrl: `${emulator.url}/api/`,
    editIntervalMs: 100,
    ...options.channel,
  });
  const { t, stop } = await startChannelGateway({ channel, emulator, ownsEmulator: !options.reuse, config: options.config ?? {}, setup: options.setup });
  if (options.mode === "events") emulator.setEventsUrl(`${t.url}/channels/${channel.id}`);
  else await waitFor(() => channel.socketStats?.connected, { what: "the Socket Mode connection" });
  return {
    emulator,
    t,
    channel,
    stop,
  };
}

/** An agent that records what it saw and answers `ok: <text>`. */
export function recordingAgent(): { inputs: TurnInput[]; run: (input: TurnInput) => Promise<string> } {
  const inputs: TurnInput[] = [];
  return {
    inputs,
    run: async (input) => {
      inputs.push(input);
      return `ok: ${input.text}`;
    },
  };
}

/** The bot's messages in a channel once there are at least `count`. */
export function botMessages(emulator: SlackEmulator, channel: string, count = 1, timeoutMs = 10_000) {
  return waitFor(
    () => {
      const messages = emulator.messages(channel);
      return messages.length >= count ? messages : undefined;
    },
    { what: `${count} bot message(s) in ${channel}`, timeoutMs },
  );
}
