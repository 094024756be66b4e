/**
 * The `webhook` channel: a generic HTTP integration for systems that are not chat platforms.
 * Callers POST a JSON message to `/channels/<id>/webhook`, authenticated by an HMAC signature
 * (or the channel key); each reply is POSTed, signed the same way, to the configured callback
 * URL, with the outbox's durable retries and backoff. Ingress is ingress.ts, callbacks
 * egress.ts, the wire format payload.ts, signing signature.ts.
 */
import type { Address, Channel, ChannelCapabilities, ChannelContext, ChannelRequest, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { ConfigError, DeliveryError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { silentLogger } from "../../core/log.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { splitText } from "../../core/split.ts";
import { StoredChannelKeys } from "../../core/secrets/stored-channel-keys.ts";
import type { Vault } from "../../core/secrets/vault.ts";
import { callbackBody, CallbackSender } from "./egress.ts";
import { formatReply, type WebhookTextFormat } from "./format.ts";
import { WebhookIngress } from "./ingress.ts";
import { readReplyReference } from "./payload.ts";
import { DEFAULT_SIGNATURE_HEADER, DEFAULT_TIMESTAMP_HEADER, DEFAULT_TOLERANCE_MS, type SignatureAlgorithm, type SignatureSettings } from "./signature.ts";
import { resolveWebhookTarget } from "./target.ts";

export interface WebhookChannelOptions {
  id: string;
  /** Where replies are POSTed. Fixed here on purpose: a URL taken from a message would let any caller aim the gateway at internal hosts. */
  callbackUrl: string;
  signature: {
    secret: string;
    algorithm?: SignatureAlgorithm;
    header?: string;
    timestampHeader?: string;
    requireTimestamp?: boolean;
    toleranceMs?: number;
  };
  /** Also accept `Authorization: Bearer <key>` from callers instead of a signature. */
  key?: string;
  /** Decrypts keys made with `switchboard channels key`; by default the master key from the environment. */
  vault?: Vault;
  /** Extra headers on every callback. */
  callbackHeaders?: Record<string, string>;
  /** How long one callback may take before it counts as failed (and is retried). Default 10 s. */
  callbackTimeoutMs?: number;
  /** Replies longer than this are sent as several callbacks (`part`/`parts`). Default 32,000. */
  maxMessageLength?: number;
  /** `markdown` (default): the agent's markdown as is; `text`: plain text. */
  format?: WebhookTextFormat;
  threadStrategy?: ThreadStrategy;
  /** Clock for signatures (tests). */
  now?: () => number;
}

export const WEBHOOK_DEFAULT_MAX_MESSAGE_LENGTH = 32_000;

export class WebhookChannel implements Channel {
  readonly id: string;
  readonly type = "webhook";
  readonly capabilities: ChannelCapabilities = { edit: false, stream: false, threads: true, typing: false };
  readonly maxMessageLength: number;
  readonly threadStrategy: ThreadStrategy | undefined;
  private readonly format_: WebhookTextFormat;
  private readonly ingress: WebhookIngress;
  private readonly sender: CallbackSender;
  private readonly storedKeys: StoredChannelKeys;
  private ctx: ChannelContext | undefined;
  private log: Logger = silentLogger;

  constructor(options: WebhookChannelOptions) {
    const issues = optionIssues(options);
    if (issues.length > 0) throw new ConfigError(issues);
    this.id = options.id;
    this.threadStrategy = options.threadStrategy;
    this.maxMessageLength = options.maxMessageLength ?? WEBHOOK_DEFAULT_MAX_MESSAGE_LENGTH;
    this.format_ = options.format ?? "markdown";
    const now = options.now ?? Date.now;
    const signature: SignatureSettings = {
      secret: options.signature.secret,
      algorithm: options.signature.algorithm ?? "sha256",
      header: options.signature.header ?? DEFAULT_SIGNATURE_HEADER,
      timestampHeader: options.signature.timestampHeader ?? DEFAULT_TIMESTAMP_HEADER,
      requireTimestamp: options.signature.requireTimestamp ?? false,
      toleranceMs: options.signature.toleranceMs ?? DEFAULT_TOLERANCE_MS,
    };
    this.storedKeys = new StoredChannelKeys({ channelId: options.id, vault: options.vault });
    this.ingress = new WebhookIngress({
      channelId: this.id,
      source: this.type,
      signature,
      ...(options.key !== undefined ? { key: options.key } : {}),
      storedKeys: this.storedKeys,
      context: () => this.ctx,
      log: () => this.log,
      now,
    });
    this.sender = new CallbackSender({
      url: options.callbackUrl,
      signature,
      headers: options.callbackHeaders ?? {},
      timeoutMs: options.callbackTimeoutMs ?? 10_000,
      now,
    });
  }

  async start(ctx: ChannelContext): Promise<void> {
    await this.storedKeys.attach(ctx.state, ctx.log);
    this.ctx = ctx;
    this.log = ctx.log;
    ctx.log.info("webhook channel started", { path: `/channels/${this.id}/webhook` });
  }

  async stop(): Promise<void> {
    this.storedKeys.detach();
    this.ctx = undefined;
  }

  handleRequest(req: ChannelRequest): Promise<Response> {
    return this.ingress.handle(req);
  }

  format(markdown: string): string {
    return formatReply(markdown, this.format_);
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const ctx = this.ctx;
    // Retryable: the outbox keeps the item until the channel has started.
    if (!ctx) throw new DeliveryError(`channel "${this.id}" is not started`, { retryable: true });
    const reference = readReplyReference(message.to.ref);
    return this.sender.post(callbackBody(message, reference, await this.partCount(ctx, reference?.inReplyTo)));
  }

  /** The callback URL is fixed; the target names the conversation the callback carries. */
  async resolveTarget(to: string): Promise<Address> {
    return resolveWebhookTarget(to);
  }

  /**
   * How many callbacks the reply takes. The core split the stored reply at our limit, so
   * splitting it again gives the same count; unknown (left out) if the reply cannot be found.
   */
  private async partCount(ctx: ChannelContext, inReplyTo: string | undefined): Promise<number | undefined> {
    if (inReplyTo === undefined) return undefined;
    try {
      const reply = (await ctx.lookup(this.id, inReplyTo))?.reply;
      return reply === undefined ? undefined : Math.max(1, splitText(reply, this.maxMessageLength).length);
    } catch (error) {
      this.log.debug("webhook reply not found for its part count", { inReplyTo, error });
      return undefined;
    }
  }
}

function optionIssues(options: WebhookChannelOptions): string[] {
  const at = `channels.${options.id}`;
  const issues: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(options.callbackUrl);
  } catch {
    issues.push(`${at}.callbackUrl: not a URL (write e.g. https://example.com/switchboard/callback)`);
  }
  if (url && url.protocol !== "https:" && url.protocol !== "http:") issues.push(`${at}.callbackUrl: must be http(s)`);
  if (url && (url.username || url.password)) issues.push(`${at}.callbackUrl: put credentials in callbackHeaders, not in the URL (URLs end up in logs)`);
  if (!options.signature.secret || options.signature.secret.length < 16) issues.push(`${at}.signature.secret: at least 16 characters (e.g. openssl rand -hex 32)`);
  if (options.key !== undefined && options.key.length < 16) issues.push(`${at}.key: at least 16 characters`);
  if (options.key !== undefined && options.key === options.signature.secret) issues.push(`${at}.key: must differ from signature.secret (the key travels in requests; the secret never does)`);
  return issues;
}

export function createWebhookChannel(options: WebhookChannelOptions): WebhookChannel {
  return new WebhookChannel(options);
}
