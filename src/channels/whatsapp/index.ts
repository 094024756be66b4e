/**
 * The `whatsapp` channel: a WhatsApp Business number through Meta's Cloud API. Meta calls
 * `/channels/<id>` (GET to verify, POST with signed messages: webhook.ts, inbound.ts, ingest.ts);
 * replies go out through the Graph API (graph.ts, egress.ts) in WhatsApp's formatting (format.ts),
 * paced per number (throughput.ts) and within the 24-hour customer-service window (window.ts).
 * Every conversation is a DM with one user (their wa_id); WhatsApp has no threads or edits.
 */
import type { Address, Channel, ChannelCapabilities, ChannelContext, ChannelRequest, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { ConfigError, DeliveryError, SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { silentLogger } from "../../core/log.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { WhatsAppEgress, WHATSAPP_MAX_TEXT_LENGTH, type WindowTemplate } from "./egress.ts";
import { markdownToWhatsApp } from "./format.ts";
import { DEFAULT_BACKOFF, GraphClient, graphDeliveryError, type RateLimitBackoff } from "./graph.ts";
import { mediaId, type InboundMessage } from "./inbound.ts";
import { ingestItems } from "./ingest.ts";
import { resolveWhatsAppTarget } from "./target.ts";
import { SendRateLimiter } from "./throughput.ts";
import { WhatsAppWebhook } from "./webhook.ts";
import { CustomerServiceWindows } from "./window.ts";

export interface WhatsAppChannelOptions {
  id: string;
  /** The business number's Phone number ID (WhatsApp Manager → API Setup), not the number itself. */
  phoneNumberId: string;
  /** A System User access token with whatsapp_business_messaging. */
  accessToken: string;
  /** The Meta app's App secret: verifies X-Hub-Signature-256 on every webhook POST. */
  appSecret: string;
  /** Any string you choose; Meta sends it back in the verification GET. */
  verifyToken: string;
  /** Graph API base, `https://graph.facebook.com` by default; the emulator's URL in tests. */
  apiUrl?: string;
  /** Graph API version, e.g. `v23.0`. */
  apiVersion?: string;
  /** Sent instead of a reply once the 24-hour window has closed; without it such replies fail. */
  templateOnWindowClosed?: WindowTemplate;
  /** Mark each accepted message read (blue ticks). Default true. */
  markRead?: boolean;
  /** Show "typing…" while the agent works. Default true. */
  typingIndicator?: boolean;
  /** The sender's pace per number; Meta's default throughput is 80 messages a second. */
  messagesPerSecond?: number;
  /** Answer only these wa_ids (phone numbers without +); everyone else is ignored. */
  allowedSenders?: string[];
  /** Resolve each media attachment's download URL (GET /{media-id}) before accepting. Default false. */
  resolveMediaUrls?: boolean;
  threadStrategy?: ThreadStrategy;
  /** Waits after Meta's rate-limit codes (tests shorten them). */
  backoff?: Partial<RateLimitBackoff>;
  /** The clock for the 24-hour window (tests). */
  now?: () => number;
}

export class WhatsAppChannel implements Channel {
  readonly id: string;
  readonly type = "whatsapp";
  readonly capabilities: ChannelCapabilities;
  readonly maxMessageLength = WHATSAPP_MAX_TEXT_LENGTH;
  readonly threadStrategy: ThreadStrategy | undefined;
  private readonly options: WhatsAppChannelOptions;
  private readonly graph: GraphClient;
  private readonly pacer: SendRateLimiter;
  private readonly webhook: WhatsAppWebhook;
  private started: { ctx: ChannelContext; windows: CustomerServiceWindows; egress: WhatsAppEgress } | undefined;
  private log: Logger = silentLogger;

  constructor(options: WhatsAppChannelOptions) {
    const issues = optionIssues(options);
    if (issues.length > 0) throw new ConfigError(issues);
    this.options = options;
    this.id = options.id;
    this.threadStrategy = options.threadStrategy;
    this.capabilities = { edit: false, stream: false, threads: false, typing: true };
    this.graph = new GraphClient({
      accessToken: options.accessToken,
      phoneNumberId: options.phoneNumberId,
      ...(options.apiUrl !== undefined ? { apiUrl: options.apiUrl } : {}),
      ...(options.apiVersion !== undefined ? { apiVersion: options.apiVersion } : {}),
    });
    this.pacer = new SendRateLimiter(options.messagesPerSecond ?? 80);
    const allowed = options.allowedSenders ? new Set(options.allowedSenders.map((n) => n.replace(/^\+/, ""))) : undefined;
    this.webhook = new WhatsAppWebhook({
      appSecret: options.appSecret,
      verifyToken: options.verifyToken,
      log: () => this.log,
      ingest: (items) =>
        ingestItems(
          {
            channelId: this.id,
            source: this.type,
            phoneNumberId: options.phoneNumberId,
            ...(allowed ? { allowedSenders: allowed } : {}),
            context: () => this.started,
            ...(options.resolveMediaUrls ? { resolveMedia: (message: InboundMessage) => this.resolveMedia(message) } : {}),
            accepted: (message) => this.onAccepted(message),
            log: () => this.log,
          },
          items,
        ),
    });
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.log = ctx.log;
    const windows = new CustomerServiceWindows(ctx.state, this.options.now);
    const egress = new WhatsAppEgress({
      channelId: this.id,
      graph: this.graph,
      windows,
      pacer: this.pacer,
      backoff: { ...DEFAULT_BACKOFF, ...this.options.backoff },
      ...(this.options.templateOnWindowClosed !== undefined ? { template: this.options.templateOnWindowClosed } : {}),
      log: ctx.log,
    });
    this.started = { ctx, windows, egress };
    ctx.log.info("WhatsApp channel started", { phoneNumberId: this.options.phoneNumberId });
  }

  async stop(): Promise<void> {
    this.started = undefined;
  }

  handleRequest(req: ChannelRequest): Promise<Response> {
    return this.webhook.handle(req);
  }

  format(markdown: string): string {
    return markdownToWhatsApp(markdown);
  }

  send(message: OutboundMessage): Promise<SentMessage> {
    return this.requireEgress().send(message);
  }

  /** A phone number (E.164) whose user wrote within the last 24 hours; anyone else needs a template. */
  async resolveTarget(to: string): Promise<Address> {
    if (!this.started) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
    return resolveWhatsAppTarget(this.started.windows, this.options.now ?? Date.now, to);
  }

  async typing(to: Address): Promise<void> {
    // The read receipt went out after the accept; this call adds "typing…" (and marks read again).
    if (this.options.typingIndicator === false) return;
    await this.started?.egress.typing(to);
  }

  private requireEgress(): WhatsAppEgress {
    // Retryable: the outbox keeps the reply until the channel has started.
    if (!this.started) throw new DeliveryError(`channel "${this.id}" is not started`, { retryable: true });
    return this.started.egress;
  }

  /** Blue ticks as soon as the message is safely in; not for redeliveries, which were marked already. */
  private onAccepted(message: InboundMessage): void {
    if (this.options.markRead === false) return;
    void this.started?.egress.markRead(message.eventId);
  }

  private async resolveMedia(message: InboundMessage): Promise<void> {
    const id = mediaId(message.raw);
    const attachment = message.attachments[0];
    if (id === undefined || attachment === undefined) return;
    try {
      const media = await this.graph.media(id);
      if (media.url) attachment.url = media.url;
      if (typeof media.file_size === "number") attachment.size = media.file_size;
    } catch (error) {
      this.log.warn("WhatsApp media URL not resolved; the attachment goes without it", { eventId: message.eventId, error: graphDeliveryError("media lookup", error).message });
    }
  }
}

function optionIssues(options: WhatsAppChannelOptions): string[] {
  const at = `channels.${options.id}`;
  const issues: string[] = [];
  if (!/^\d+$/.test(options.phoneNumberId ?? "")) issues.push(`${at}.phoneNumberId: must be the numeric Phone number ID from WhatsApp Manager → API Setup (not the phone number)`);
  if (!options.accessToken) issues.push(`${at}.accessToken: required (a System User token with whatsapp_business_messaging)`);
  if (!options.appSecret) issues.push(`${at}.appSecret: required (Meta app → App settings → Basic → App secret)`);
  if (!options.verifyToken) issues.push(`${at}.verifyToken: required (any random string; enter the same one as the webhook's Verify token)`);
  return issues;
}

export function createWhatsAppChannel(options: WhatsAppChannelOptions): WhatsAppChannel {
  return new WhatsAppChannel(options);
}
