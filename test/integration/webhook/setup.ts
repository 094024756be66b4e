/**
 * A gateway with a webhook channel whose callbacks go to the callback-receiver emulator, for the
 * webhook tests. Callers sign with the emulator's secret (the channel shares it), and the
 * outbox retries quickly so retry tests stay fast.
 */
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import { createWebhookChannel, type WebhookChannel, type WebhookChannelOptions } from "../../../src/channels/webhook/index.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import { startWebhookEmulator, type WebhookEmulator } from "../../emulators/webhook/index.ts";
import { startChannelGateway, type TestGateway } from "../../helpers/gateway.ts";

export const CHANNEL_KEY = "test-channel-key-0123456789";

export interface WebhookSetup {
  emulator: WebhookEmulator;
  t: TestGateway;
  channel: WebhookChannel;
  /** `POST /channels/<id>/webhook` URL. */
  webhookUrl: string;
  /** POST a message signed with the shared secret (or with the given headers instead). */
  post(message: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startWebhookSetup(
  options: { channel?: Partial<WebhookChannelOptions>; config?: SwitchboardConfigInput; setup?: (gw: Switchboard) => void } = {},
): Promise<WebhookSetup> {
  const emulator = await startWebhookEmulator();
  const channel = createWebhookChannel({ id: "hook", callbackUrl: emulator.callbackUrl, signature: { secret: emulator.secret }, key: CHANNEL_KEY, ...options.channel });
  const { t, stop } = await startChannelGateway({ channel, emulator, config: { outbox: { baseDelay: "50ms", maxDelay: "2s", maxAttempts: 6 }, ...options.config }, setup: options.setup });
  const webhookUrl = `${t.url}/channels/${channel.id}/webhook`;
  return {
    emulator,
    t,
    channel,
    webhookUrl,
    async post(message, headers) {
      const body = typeof message === "string" ? message : JSON.stringify(message);
      const response = await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json", ...(headers ?? emulator.sign(body)) }, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: the test sees the raw text.
      }
      return { status: response.status, body: parsed };
    },
    stop,
  };
}
