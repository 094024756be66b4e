/**
 * A gateway with a Telegram channel pointed at the Telegram emulator, for the Telegram tests.
 * The channel talks to the emulator only through grammY's `Api` with `apiRoot` = emulator.url;
 * in webhook mode the test registers the gateway's URL with `setWebhook`, as an operator would.
 */
import { Api } from "grammy";
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import { createTelegramChannel, type TelegramChannel, type TelegramChannelOptions } from "../../../src/channels/telegram/index.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import { startTelegramEmulator, type SentRecord, type TelegramEmulator, type TelegramEmulatorOptions } from "../../emulators/telegram/index.ts";
import { startChannelGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";

export const SECRET_TOKEN = "s3cret_Token-for-tests";

export interface TelegramSetupOptions {
  mode?: "polling" | "webhook";
  channel?: Partial<TelegramChannelOptions>;
  emulator?: TelegramEmulatorOptions;
  /** An existing emulator (several gateways on one bot). */
  reuse?: TelegramEmulator;
  config?: SwitchboardConfigInput;
  setup?: (gw: Switchboard) => void;
}

export interface TelegramSetup {
  emulator: TelegramEmulator;
  t: TestGateway;
  channel: TelegramChannel;
  /** The channel's webhook URL on the gateway. */
  webhookUrl: string;
  stop(): Promise<void>;
}

export async function startTelegramSetup(options: TelegramSetupOptions = {}): Promise<TelegramSetup> {
  const emulator = options.reuse ?? (await startTelegramEmulator(options.emulator));
  const mode = options.mode ?? "polling";
  const channel = createTelegramChannel({
    id: "telegram",
    botToken: emulator.token,
    apiRoot: emulator.url,
    mode,
    ...(mode === "webhook" ? { secretToken: SECRET_TOKEN } : {}),
    editIntervalMs: 100,
    pollTimeoutSeconds: 1,
    pollerLeaseTtlMs: 900,
    ...options.channel,
  });
  const { t, stop } = await startChannelGateway({ channel, emulator, ownsEmulator: !options.reuse, config: options.config ?? {}, setup: options.setup });
  const webhookUrl = `${t.url}/channels/${channel.id}`;
  if (mode === "webhook" && !options.channel?.setWebhook) await new Api(emulator.token, { apiRoot: emulator.url }).setWebhook(webhookUrl, { secret_token: SECRET_TOKEN });
  if (mode === "polling") await waitFor(() => channel.polling || options.reuse, { what: "the long poll to start" });
  return {
    emulator,
    t,
    channel,
    webhookUrl,
    stop,
  };
}

/** An agent that answers `ok: <text>`. */
export async function echoAgent(input: { text: string }): Promise<string> {
  return `ok: ${input.text}`;
}

/** The bot's messages (in one chat) once there are at least `count`. */
export function botMessages(emulator: TelegramEmulator, chatId: number, count = 1, timeoutMs = 10_000): Promise<SentRecord[]> {
  return waitFor(
    () => {
      const sent = emulator.sent(chatId);
      return sent.length >= count ? sent : undefined;
    },
    { what: `${count} bot message(s) in chat ${chatId}`, timeoutMs },
  );
}
