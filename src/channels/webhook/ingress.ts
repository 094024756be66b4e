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
import type { StoredChannelKeys } from "../../core/secrets/stored-channel-keys.ts";
import { verifyWebhookSignature, type SignatureSettings, type SignatureVerdict } from "./signature.ts";

export interface WebhookIngressOptions {
  channelId: string;
  source: string;
  signature: SignatureSettings;
  /** Also accept `Authorization: Bearer <key>` instead of a signature. */
  key?: string;
  /** Keys made with `switchboard channels key`, accepted like `key`. */
  storedKeys: StoredChannelKeys;
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
    const verdict = await this.authenticate(request.headers, raw);
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
   * mistake worth surfacing. Generated keys that cannot be read refuse every key (fail closed);
   * signatures, whose secret is in the config, still work.
   */
  private async authenticate(headers: Headers, body: Uint8Array): Promise<SignatureVerdict> {
    const { key, storedKeys } = this.options;
    await storedKeys.refresh();
    const stored = storedKeys.current();
    const hasKey = key !== undefined || stored.kind !== "none";
    const given = bearerToken(headers);
    if (given !== undefined && hasKey) {
      if ((key !== undefined && secretsEqual(given, key)) || storedKeys.matches(given)) return { ok: true };
      return { ok: false, reason: stored.kind === "unavailable" ? "the channel keys cannot be checked right now (the gateway log says why)" : "wrong channel key" };
    }
    if (!headers.has(this.options.signature.header) && hasKey) {
      return { ok: false, reason: `send Authorization: Bearer <key> or a signed request (${this.options.signature.header})` };
    }
    return verifyWebhookSignature(this.options.signature, headers, body, this.options.now());
  }
}
