/**
 * The webhook endpoint at `/channels/<id>`. GET is Meta's verification handshake (echo
 * `hub.challenge` when `hub.verify_token` matches). POST carries messages and statuses, signed
 * with the app secret; it is answered 200 only after every message in it was durably accepted.
 * Anything else gets a 5xx, so Meta delivers the batch again; the wamid dedupes what was already in.
 */
import type { ChannelRequest } from "../../core/channel.ts";
import { errorResponse, json, readWebhookBody, secretsEqual } from "../../core/http-io.ts";
import type { Logger } from "../../core/log.ts";
import { webhookItems, type WebhookItem } from "./inbound.ts";
import { waWebhook } from "./payload.ts";
import { verifyWhatsAppSignature, WHATSAPP_SIGNATURE_HEADER } from "./signature.ts";

export interface WhatsAppWebhookDeps {
  appSecret: string;
  verifyToken: string;
  /** Take every item of one delivery; throws if any message could not be accepted. */
  ingest: (items: WebhookItem[]) => Promise<Record<string, number>>;
  log: () => Logger;
}

export class WhatsAppWebhook {
  private readonly deps: WhatsAppWebhookDeps;

  constructor(deps: WhatsAppWebhookDeps) {
    this.deps = deps;
  }

  async handle({ request, subpath, bodyLimit }: ChannelRequest): Promise<Response> {
    if (subpath !== "/" && subpath !== "/webhook") return errorResponse(404, `no route ${request.method} ${subpath} on this WhatsApp channel (Meta calls /)`);
    if (request.method === "GET") return this.verify(new URL(request.url).searchParams);
    const raw = await readWebhookBody(request, bodyLimit, "WhatsApp webhooks");
    if (raw instanceof Response) return raw;
    if (!verifyWhatsAppSignature(this.deps.appSecret, raw, request.headers.get(WHATSAPP_SIGNATURE_HEADER))) {
      this.deps.log().warn("WhatsApp webhook refused: bad or missing X-Hub-Signature-256");
      return errorResponse(401, "bad or missing X-Hub-Signature-256 (is appSecret the App secret of the Meta app that owns the webhook?)");
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(raw).toString("utf8"));
    } catch {
      return errorResponse(400, "malformed JSON");
    }
    const parsed = waWebhook.safeParse(body);
    if (!parsed.success) return errorResponse(400, "not a webhook payload: expected {object, entry: [{changes: [...]}]}");
    // Other products of the same app (Instagram, Page) would be acknowledged and left alone.
    if (parsed.data.object !== "whatsapp_business_account") return json({ ok: true, status: "ignored", reason: `object "${parsed.data.object}"` });
    try {
      const counts = await this.deps.ingest(webhookItems(parsed.data));
      return json({ ok: true, ...counts });
    } catch (error) {
      this.deps.log().error("WhatsApp webhook not accepted; Meta will deliver it again", { error });
      return errorResponse(503, "not accepted; deliver again later");
    }
  }

  /** Meta's subscription check when the Callback URL is saved: plain-text challenge, or 403. */
  private verify(query: URLSearchParams): Response {
    const mode = query.get("hub.mode");
    const token = query.get("hub.verify_token") ?? "";
    const challenge = query.get("hub.challenge");
    if (mode !== "subscribe" || challenge === null || !secretsEqual(token, this.deps.verifyToken)) {
      this.deps.log().warn("WhatsApp webhook verification refused", { mode: mode ?? undefined, reason: mode !== "subscribe" ? "hub.mode is not subscribe" : challenge === null ? "no hub.challenge" : "hub.verify_token does not match verifyToken" });
      return new Response("verification failed: hub.verify_token does not match this channel's verifyToken", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    this.deps.log().info("WhatsApp webhook verified by Meta");
    return new Response(challenge, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
