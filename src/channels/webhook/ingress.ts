/**
 * `POST /channels/<id>/webhook`: authenticate the caller (an HMAC signature, or the channel key
 * as a bearer token), validate the JSON message and accept it durably. It answers 202 only once
 * the message is committed, 200 `{duplicate: true}` for an id already accepted (so a caller that
 * retries after a timeout never causes a second reply), and 5xx when the accept failed, so the
 * caller knows to send again.
 */
import type { ChannelContext, ChannelRequest } from "../../core/channel.ts";
import { SwitchboardError } from "../../core/errors.ts";
import { bearerToken, errorResponse, json, readWebhookBody, secretsEqual } from "../../core/http-io.ts";
import type { Logger } from "../../core/log.ts";
import { parseInboundMessage, toEnvelope } from "./payload.ts";
import { verifyWebhookSignature, type SignatureSettings, type SignatureVerdict } from "./signature.ts";

export interface WebhookIngressOptions {
  channelId: string;
  source: string;
  signature: SignatureSettings;
  /** Also accept `Authorization: Bearer <key>` instead of a signature. */
  key?: string;
  context: () => ChannelContext | undefined;
  log: () => Logger;
  now: () => number;
}

/** Where callers POST; `/` too, so the bare channel URL works as well. */
const webhookPaths = new Set(["/webhook", "/"]);

export class WebhookIngress {
  private readonly options: WebhookIngressOptions;

  constructor(options: WebhookIngressOptions) {
    this.options = options;
  }

  async handle({ request, subpath, bodyLimit }: ChannelRequest): Promise<Response> {
    if (!webhookPaths.has(subpath)) return errorResponse(404, `no route ${request.method} ${subpath} on this webhook channel (POST to /channels/${this.options.channelId}/webhook)`);
    const raw = await readWebhookBody(request, bodyLimit, "webhook messages");
    if (raw instanceof Response) return raw;
    const verdict = this.authenticate(request.headers, raw);
    if (!verdict.ok) {
      this.options.log().warn("webhook request refused", { reason: verdict.reason });
      return errorResponse(401, verdict.reason);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(raw).toString("utf8"));
    } catch {
      return errorResponse(400, "malformed JSON");
    }
    const parsed = parseInboundMessage(body);
    if (!parsed.ok) return errorResponse(400, parsed.error);

    const ctx = this.options.context();
    if (!ctx) return errorResponse(503, `channel "${this.options.channelId}" is not started; send again later`);
    const envelope = toEnvelope(this.options.channelId, this.options.source, parsed.message);
    try {
      const result = await ctx.accept(envelope);
      if (result.status === "rejected") return errorResponse(result.httpStatus, result.reason, result.retryAfterMs);
      const ids = { id: envelope.eventId, messageId: result.messageId, sessionId: result.sessionId };
      if (result.status === "duplicate") return json({ duplicate: true, ...ids });
      return json({ accepted: true, ...ids }, 202);
    } catch (error) {
      this.options.log().error("webhook message could not be accepted; the caller should send it again", { id: envelope.eventId, error });
      const status = error instanceof SwitchboardError && error.status >= 500 ? error.status : 500;
      return errorResponse(status, "the message could not be accepted; send it again later");
    }
  }

  /**
   * A bearer key is checked first when one is sent; otherwise the signature must verify. A
   * request carrying a wrong key is refused even if it is also signed: a wrong credential is a
   * mistake worth surfacing.
   */
  private authenticate(headers: Headers, body: Uint8Array): SignatureVerdict {
    const given = bearerToken(headers);
    if (given !== undefined && this.options.key !== undefined) {
      return secretsEqual(given, this.options.key) ? { ok: true } : { ok: false, reason: "wrong channel key" };
    }
    if (!headers.has(this.options.signature.header) && this.options.key !== undefined) {
      return { ok: false, reason: `send Authorization: Bearer <key> or a signed request (${this.options.signature.header})` };
    }
    return verifyWebhookSignature(this.options.signature, headers, body, this.options.now());
  }
}
