/**
 * A local WhatsApp Cloud API for tests and for trying the channel without a Meta app. It serves the
 * Graph API subset the channel uses (graph-api.ts), delivers user messages and delivery statuses to
 * the webhook signed with the app secret, redelivers on failure like Meta (delivery.ts), runs the
 * verification GET handshake, and tracks the 24-hour window on a clock tests can move.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControl } from "./control.ts";
import { WebhookDelivery, metaSignatureHeaders, type Delivery } from "./delivery.ts";
import { handleGraph, type GraphCall, type GraphState, type InjectedError, type ReadRecord, type SentRecord } from "./graph-api.ts";
import { messageObject, messagesPayload, statusPayload, textContent, wamid, type BusinessIds, type MessageContent } from "./payloads.ts";

export type { Delivery, DeliveryAttempt } from "./delivery.ts";
export type { SentRecord, ReadRecord, GraphCall, InjectedError } from "./graph-api.ts";
export type { MessageContent } from "./payloads.ts";
export { MAX_TEXT_LENGTH, WINDOW_MS } from "./graph-api.ts";
export { metaSignatureHeaders } from "./delivery.ts";

export interface WhatsAppEmulatorOptions {
  port?: number;
  appSecret?: string;
  verifyToken?: string;
  accessToken?: string;
  phoneNumberId?: string;
  /** Where Meta POSTs (the channel's `/channels/<id>` URL); settable later with setWebhookUrl. */
  webhookUrl?: string;
  /** Waits before each redelivery of an unanswered webhook; Meta: immediately, then less and less often for 7 days. */
  redeliveryDelaysMs?: number[];
  /** How long a webhook POST may take before it counts as failed. */
  webhookTimeoutMs?: number;
  /** The number's throughput; Meta's default is 80 messages per second. */
  messagesPerSecond?: number;
  /** Least time between two messages to one user (131056 below it); 0 (default) is off. */
  pairRateMs?: number;
  /** Approved templates as `name:language`; default `hello_world:en_US`. */
  templates?: string[];
  /** Deliver `sent` and `delivered` statuses for each message the business sends. Default true. */
  statusWebhooks?: boolean;
}

export interface UserMessageOptions {
  from: string;
  /** The profile name in `contacts`. */
  name?: string;
  text?: string;
  /** Any other message type, e.g. `{type: "image", image: {id, mime_type, caption}}`. */
  content?: MessageContent;
  /** Reuse an id (a redelivery of the same message). */
  id?: string;
  /** Quote an earlier message. */
  context?: { from: string; id: string };
}

export interface WhatsAppEmulator {
  url: string;
  /** What the channel's apiUrl should be (the Graph API base). */
  apiUrl: string;
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  phoneNumberId: string;
  readonly webhookUrl: string | undefined;
  setWebhookUrl(url: string): void;
  /** Meta's verification GET: hub.mode=subscribe, hub.verify_token, hub.challenge; `ok` when the challenge came back. */
  verifyWebhook(options?: { verifyToken?: string; challenge?: string }): Promise<{ ok: boolean; status: number; body: string }>;
  /** A user writes to the business: the window opens, the message is delivered (and redelivered until answered 2xx). */
  userMessage(options: UserMessageOptions): Promise<Delivery>;
  /** Several user messages in one webhook delivery, as Meta batches them. */
  userMessages(messages: UserMessageOptions[]): Promise<Delivery>;
  /** Deliver an exact body again (Meta may redeliver a webhook even after a 2xx). */
  redeliver(delivery: Delivery): Promise<Delivery>;
  /** POST a body to the webhook with chosen headers (tampering, wrong secrets). */
  postRaw(body: string, headers: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Register a media file users can send (`{type: "image", image: {id}}`); returns its id. */
  addMedia(content: string | Buffer, mimeType: string): string;
  /** Make the next N sends fail with this Graph error. */
  failNext(n: number, error: InjectedError): void;
  /** Move the emulator's clock (the 24-hour window) forward. */
  advanceClock(ms: number): void;
  now(): number;
  /** Messages the business sent, oldest first; optionally only to one user. */
  sent(to?: string): SentRecord[];
  readonly reads: ReadRecord[];
  readonly calls: GraphCall[];
  readonly deliveries: Delivery[];
  close(): Promise<void>;
}

export async function startWhatsAppEmulator(options: WhatsAppEmulatorOptions = {}): Promise<WhatsAppEmulator> {
  const ids: BusinessIds = { wabaId: "102290129340398", phoneNumberId: options.phoneNumberId ?? "106540352242922", displayPhoneNumber: "15550783881" };
  const appSecret = options.appSecret ?? "emulator-app-secret";
  const verifyToken = options.verifyToken ?? "emulator-verify-token";
  const accessToken = options.accessToken ?? "EAAGemulatorAccessToken";
  let webhookUrl = options.webhookUrl;
  let offsetMs = 0;
  let baseUrl = "";
  const stopping = new AbortController();
  const now = () => Date.now() + offsetMs;
  const delivery = new WebhookDelivery({ appSecret, redeliveryDelaysMs: options.redeliveryDelaysMs ?? [100, 500, 2_000], timeoutMs: options.webhookTimeoutMs ?? 5_000, signal: stopping.signal });
  let mediaCount = 0;

  const state: GraphState = {
    accessToken,
    phoneNumberId: ids.phoneNumberId,
    baseUrl: () => baseUrl,
    now,
    lastInbound: new Map(),
    inboundIds: new Set(),
    templates: new Set(options.templates ?? ["hello_world:en_US"]),
    media: new Map(),
    failures: [],
    messagesPerSecond: options.messagesPerSecond ?? 80,
    pairRateMs: options.pairRateMs ?? 0,
    sent: [],
    reads: [],
    calls: [],
    onSent(record) {
      if (options.statusWebhooks === false) return;
      void (async () => {
        for (const status of ["sent", "delivered"]) {
          await delivery.deliver(record.id, statusPayload(ids, { id: record.id, status, recipient: record.to, timestampMs: now() }), webhookUrl);
        }
      })().catch(() => undefined);
    },
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    void (async () => {
      if (await handleGraph(state, req, res, path)) return;
      await handleControl(req, res, path, emulator);
    })().catch((error: unknown) => {
      console.error("whatsapp emulator:", error);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function buildMessage(o: UserMessageOptions): { name: string; message: Record<string, unknown> } {
    const from = o.from.replace(/^\+/, "");
    const id = o.id ?? wamid();
    const at = now();
    // The window opens when the user writes, whatever happens to the webhook.
    state.lastInbound.set(from, Math.max(at, state.lastInbound.get(from) ?? 0));
    state.inboundIds.add(id);
    const content = o.content ?? textContent(o.text ?? "");
    return { name: o.name ?? `User ${from.slice(-4)}`, message: messageObject({ from, id, timestampMs: at, content, ...(o.context ? { context: o.context } : {}) }) };
  }

  const emulator: WhatsAppEmulator = {
    url: baseUrl,
    apiUrl: baseUrl,
    appSecret,
    verifyToken,
    accessToken,
    phoneNumberId: ids.phoneNumberId,
    get webhookUrl() {
      return webhookUrl;
    },
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    async verifyWebhook(o = {}) {
      if (!webhookUrl) throw new Error("whatsapp emulator: set the webhook URL before verifying it");
      const challenge = o.challenge ?? String(Math.floor(Math.random() * 1e9));
      const url = new URL(webhookUrl);
      url.searchParams.set("hub.mode", "subscribe");
      url.searchParams.set("hub.challenge", challenge);
      url.searchParams.set("hub.verify_token", o.verifyToken ?? verifyToken);
      const response = await fetch(url);
      const body = await response.text();
      return { ok: response.status === 200 && body === challenge, status: response.status, body };
    },
    userMessage(o) {
      return emulator.userMessages([o]);
    },
    userMessages(list) {
      const built = list.map(buildMessage);
      return delivery.deliver(String(built[0]?.message.id ?? ""), messagesPayload(ids, built), webhookUrl);
    },
    redeliver(previous) {
      return delivery.deliver(previous.id, previous.body, webhookUrl);
    },
    async postRaw(body, headers) {
      const answer = await delivery.post(webhookUrl, body, headers);
      return { status: answer.status ?? 0, body: answer.responseBody ?? "" };
    },
    addMedia(content, mimeType) {
      const id = String(1_000_000_000_000 + ++mediaCount);
      state.media.set(id, { content: Buffer.isBuffer(content) ? content : Buffer.from(content), mimeType });
      return id;
    },
    failNext(n, error) {
      for (let i = 0; i < n; i++) state.failures.push(error);
    },
    advanceClock(ms) {
      offsetMs += ms;
    },
    now,
    sent: (to) => state.sent.filter((s) => to === undefined || s.to === to.replace(/^\+/, "")),
    reads: state.reads,
    calls: state.calls,
    deliveries: delivery.deliveries,
    close() {
      stopping.abort();
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return emulator;
}

/** Signed headers for a body, as Meta would send them with this app secret. */
export function signedHeaders(appSecret: string, body: string): Record<string, string> {
  return { "content-type": "application/json", ...metaSignatureHeaders(appSecret, body) };
}
