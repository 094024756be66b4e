/**
 * A gateway with a WhatsApp channel pointed at the WhatsApp emulator: the channel calls the
 * emulator's Graph API, and the emulator delivers signed webhooks to `/channels/whatsapp`.
 */
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import { createWhatsAppChannel, type WhatsAppChannel, type WhatsAppChannelOptions } from "../../../src/channels/whatsapp/index.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import { startWhatsAppEmulator, type SentRecord, type WhatsAppEmulator, type WhatsAppEmulatorOptions } from "../../emulators/whatsapp/index.ts";
import { startChannelGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";

export interface WhatsAppSetup {
  emulator: WhatsAppEmulator;
  t: TestGateway;
  channel: WhatsAppChannel;
  webhookUrl: string;
  stop(): Promise<void>;
}

export async function startWhatsAppSetup(
  options: { channel?: Partial<WhatsAppChannelOptions>; emulator?: WhatsAppEmulatorOptions; config?: SwitchboardConfigInput; setup?: (gw: Switchboard) => void } = {},
): Promise<WhatsAppSetup> {
  const emulator = await startWhatsAppEmulator({ redeliveryDelaysMs: [50, 200, 500], ...options.emulator });
  const channel = createWhatsAppChannel({
    id: "whatsapp",
    phoneNumberId: emulator.phoneNumberId,
    accessToken: emulator.accessToken,
    appSecret: emulator.appSecret,
    verifyToken: emulator.verifyToken,
    apiUrl: emulator.apiUrl,
    backoff: { throughputMs: 100, pairMs: 200 },
    ...options.channel,
  });
  const { t, stop } = await startChannelGateway({ channel, emulator, config: options.config ?? {}, setup: options.setup });
  const webhookUrl = `${t.url}/channels/${channel.id}`;
  emulator.setWebhookUrl(webhookUrl);
  return {
    emulator,
    t,
    channel,
    webhookUrl,
    stop,
  };
}

/** The text messages the business sent to a user, once there are at least `count`. */
export function sentTo(emulator: WhatsAppEmulator, to: string, count = 1, timeoutMs = 10_000): Promise<SentRecord[]> {
  return waitFor(
    () => {
      const sent = emulator.sent(to);
      return sent.length >= count ? sent : undefined;
    },
    { what: `${count} message(s) to ${to}`, timeoutMs },
  );
}
