/**
 * Every HTTP ingress route of the fuzz gateway: where it is, how a caller authenticates to it
 * (each platform's signing scheme, written again here over raw bytes so bodies that are not
 * UTF-8 can be signed too), and what a well-formed message to it looks like.
 */
import { createHmac, sign as ed25519Sign } from "node:crypto";
import type { FuzzSecrets } from "./setup.ts";

export interface FuzzRoute {
  name: string;
  path: string;
  contentType: string;
  /** Whether a request without credentials must be refused with 401/403. */
  authenticated: boolean;
  /** The headers that authenticate `body` (none for open routes). */
  sign(body: Uint8Array): Record<string, string>;
  /** A message this route takes, with `text` as the user's words; `n` keeps ids unique. */
  message(text: string, n: number): unknown;
}

const seconds = () => String(Math.floor(Date.now() / 1000));
const hmacHex = (algorithm: string, secret: string, ...parts: Array<string | Uint8Array>) => {
  const hmac = createHmac(algorithm, secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest("hex");
};

/** The routes; `secrets` is read when a request is signed, so the list can be made before the gateway starts. */
export function fuzzRoutes(secrets: () => FuzzSecrets): FuzzRoute[] {
  // The API answers after the durable accept instead of waiting for the turn: fuzzing the parser, not the agent.
  const apiHeaders = () => ({ authorization: `Bearer ${secrets().apiKey}`, prefer: "respond-async" });
  const apiMessage = (text: string, n: number) => ({ user: `fuzz-user-${n % 7}`, text, id: `fuzz-${Date.now()}-${n}` });
  return [
    { name: "http API (POST /v1/messages)", path: "/v1/messages", contentType: "application/json", authenticated: true, sign: apiHeaders, message: apiMessage },
    {
      name: "channel management (POST /v1/channels)",
      path: "/v1/channels",
      contentType: "application/json",
      authenticated: true,
      sign: () => ({ authorization: `Bearer ${secrets().adminToken}` }),
      // A web chat page, since its title is free text; each message creates one more channel.
      message: (text, n) => ({ id: `fz${Date.now().toString(36)}${n}`, type: "webchat", path: `/fz${Date.now().toString(36)}${n}`, title: text }),
    },
    { name: "http channel (POST /channels/api)", path: "/channels/api", contentType: "application/json", authenticated: true, sign: apiHeaders, message: apiMessage },
    {
      name: "webchat (POST /channels/web/messages)",
      path: "/channels/web/messages",
      contentType: "application/json",
      authenticated: false,
      sign: () => ({}),
      message: (text, n) => ({ client: `fuzzclient${n % 5}xyz`, text, id: `m${Date.now()}${n}` }),
    },
    {
      name: "webhook (POST /channels/hook/webhook)",
      path: "/channels/hook/webhook",
      contentType: "application/json",
      authenticated: true,
      sign: (body) => {
        const timestamp = seconds();
        return { "x-switchboard-signature": `sha256=${hmacHex("sha256", secrets().webhookSecret, `${timestamp}.`, body)}`, "x-switchboard-timestamp": timestamp };
      },
      message: (text, n) => ({ id: `fuzz-${Date.now()}-${n}`, user: { id: `fuzz-user-${n % 7}` }, text }),
    },
    {
      name: "slack Events API (POST /channels/slack)",
      path: "/channels/slack",
      contentType: "application/json",
      authenticated: true,
      sign: (body) => {
        const timestamp = seconds();
        return { "x-slack-request-timestamp": timestamp, "x-slack-signature": `v0=${hmacHex("sha256", secrets().slackSigningSecret, `v0:${timestamp}:`, body)}` };
      },
      message: (text, n) => {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, "0")}`;
        return {
          type: "event_callback",
          team_id: "T0FUZZ",
          api_app_id: "A0FUZZ",
          event_id: `Ev${Date.now()}${n}`,
          event_time: Math.floor(Date.now() / 1000),
          event: { type: "message", channel_type: "im", channel: "D0FUZZ", user: `U0FUZZ${n % 7}`, text, ts, event_ts: ts },
        };
      },
    },
    {
      name: "whatsapp (POST /channels/whatsapp)",
      path: "/channels/whatsapp",
      contentType: "application/json",
      authenticated: true,
      sign: (body) => ({ "x-hub-signature-256": `sha256=${hmacHex("sha256", secrets().whatsappAppSecret, body)}` }),
      message: (text, n) => ({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "1000",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "15550000000", phone_number_id: secrets().whatsappPhoneNumberId },
                  contacts: [{ profile: { name: "Fuzz" }, wa_id: `1555000000${n % 7}` }],
                  messages: [{ from: `1555000000${n % 7}`, id: `wamid.fuzz${Date.now()}${n}`, timestamp: seconds(), type: "text", text: { body: text } }],
                },
              },
            ],
          },
        ],
      }),
    },
    {
      name: "telegram webhook (POST /channels/telegram)",
      path: "/channels/telegram",
      contentType: "application/json",
      authenticated: true,
      sign: () => ({ "x-telegram-bot-api-secret-token": secrets().telegramSecretToken }),
      message: (text, n) => ({
        update_id: 1_000_000 + n,
        message: { message_id: n, date: Math.floor(Date.now() / 1000), chat: { id: 500 + (n % 7), type: "private" }, from: { id: 500 + (n % 7), is_bot: false, first_name: "Fuzz" }, text },
      }),
    },
    {
      name: "discord interactions (POST /channels/discord)",
      path: "/channels/discord",
      contentType: "application/json",
      authenticated: true,
      sign: (body) => {
        const timestamp = seconds();
        const signature = ed25519Sign(null, Buffer.concat([Buffer.from(timestamp), body]), secrets().discordSigningKey).toString("hex");
        return { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp };
      },
      message: (text, n) => ({
        id: `${9_000_000 + n}`,
        application_id: "1000000000000000001",
        type: 2,
        token: `fuzz-interaction-token-${n}`,
        channel_id: "2000000000000000001",
        user: { id: `${3_000_000 + (n % 7)}`, username: "fuzz" },
        data: { name: "ask", type: 1, options: [{ name: "prompt", type: 3, value: text }] },
      }),
    },
    {
      name: "github webhook (POST /channels/github)",
      path: "/channels/github",
      contentType: "application/json",
      authenticated: true,
      sign: (body) => ({ "x-hub-signature-256": `sha256=${hmacHex("sha256", secrets().githubWebhookSecret, body)}`, "x-github-event": "issue_comment" }),
      message: (text, n) => ({
        action: "created",
        repository: { full_name: "acme/widgets" },
        issue: { number: 1, title: "Fuzz", body: "", html_url: "https://github.com/acme/widgets/issues/1" },
        comment: {
          id: 70_000_000 + n,
          body: text,
          user: { login: "fuzzer", id: 4242, type: "User" },
          issue_url: "https://api.github.com/repos/acme/widgets/issues/1",
          html_url: `https://github.com/acme/widgets/issues/1#issuecomment-${70_000_000 + n}`,
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
        },
      }),
    },
  ];
}
