/**
 * Outbound WhatsApp: text replies through the Graph API at the sender's pace, the 24-hour window
 * (a configured template instead of a free-form message once it has closed, or a clear permanent
 * failure), and read receipts with the typing indicator. Rate limits and transient failures
 * become retryable DeliveryErrors: the outbox waits and sends again, so nothing is lost.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Address, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { GraphError, graphDeliveryError, WA_ERRORS, type GraphClient, type RateLimitBackoff } from "./graph.ts";
import type { SendRateLimiter } from "./throughput.ts";
import type { CustomerServiceWindows } from "./window.ts";

/** Longest text body the Cloud API takes. */
export const WHATSAPP_MAX_TEXT_LENGTH = 4_096;

/** Longest a send waits here for its slot; longer waits go back to the outbox. */
const MAX_PACING_WAIT_MS = 1_000;

export interface WindowTemplate {
  name: string;
  language: string;
}

export interface WhatsAppEgressOptions {
  channelId: string;
  graph: GraphClient;
  windows: CustomerServiceWindows;
  pacer: SendRateLimiter;
  backoff: RateLimitBackoff;
  template?: WindowTemplate;
  log: Logger;
}

export class WhatsAppEgress {
  private readonly o: WhatsAppEgressOptions;

  constructor(options: WhatsAppEgressOptions) {
    this.o = options;
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const to = message.to.conversation;
    if (message.text.length > WHATSAPP_MAX_TEXT_LENGTH) {
      throw new DeliveryError(`WhatsApp text is ${message.text.length} characters; the limit is ${WHATSAPP_MAX_TEXT_LENGTH}`, { retryable: false });
    }
    const window = await this.o.windows.check(to);
    if (!window.open) return this.windowClosed(to, window.lastInboundMs);
    try {
      return await this.post("send", { recipient_type: "individual", to, type: "text", text: { body: message.text, preview_url: false } });
    } catch (error) {
      // Meta knows better than our record (the user may have written through another gateway).
      if (error instanceof GraphError && error.code === WA_ERRORS.windowClosed) return this.windowClosed(to, await this.o.windows.lastInbound(to));
      throw graphDeliveryError("send", error, this.o.backoff);
    }
  }

  /**
   * Read receipt (blue ticks) plus "typing…" for the message being answered; shown until the reply
   * arrives or 25 s pass. Cosmetic: a failure is logged, never raised.
   */
  async typing(to: Address): Promise<void> {
    if (!to.ref) return;
    await this.markRead(to.ref, true);
  }

  async markRead(messageId: string, withTyping = false): Promise<void> {
    try {
      await this.o.graph.postMessage({ status: "read", message_id: messageId, ...(withTyping ? { typing_indicator: { type: "text" } } : {}) });
    } catch (error) {
      this.o.log.debug("WhatsApp read receipt not sent", { error: graphDeliveryError("mark read", error).message });
    }
  }

  /**
   * Outside the window only a template may go. With one configured it is sent once per closed
   * window (a long reply's other parts are not repeated as more templates); without one the
   * reply fails for good, with the reason, rather than being retried for days.
   */
  private async windowClosed(to: string, lastInboundMs: number | undefined): Promise<SentMessage> {
    const since = lastInboundMs !== undefined ? ` (the user last wrote ${new Date(lastInboundMs).toISOString()})` : "";
    const template = this.o.template;
    if (!template) {
      throw new DeliveryError(
        `WhatsApp reply not sent: the 24-hour customer-service window with this user has closed${since}, and Meta only allows approved templates now. ` +
          `Set channels.${this.o.channelId}.templateOnWindowClosed to send one instead.`,
        { retryable: false, status: 422 },
      );
    }
    if (await this.o.windows.templateSent(to)) {
      throw new DeliveryError(`WhatsApp reply not sent: the 24-hour window has closed${since}; the template "${template.name}" already invited the user to write again`, {
        retryable: false,
        status: 422,
      });
    }
    let sent: SentMessage;
    try {
      sent = await this.post("template send", { to, type: "template", template: { name: template.name, language: { code: template.language } } });
    } catch (error) {
      throw graphDeliveryError("template send", error, this.o.backoff);
    }
    await this.o.windows.markTemplateSent(to);
    this.o.log.warn("WhatsApp window closed: sent the configured template instead of the reply", { template: template.name });
    return sent;
  }

  private async post(what: string, body: Record<string, unknown>): Promise<SentMessage> {
    const wait = this.o.pacer.reserve();
    if (wait > MAX_PACING_WAIT_MS) {
      this.o.pacer.release();
      throw new DeliveryError(`WhatsApp ${what} deferred: the sender's pace is reached`, { retryable: true, retryAfterMs: wait, status: 429 });
    }
    if (wait > 0) await sleep(wait);
    const answer = await this.o.graph.postMessage(body);
    const id = answer.messages?.[0]?.id;
    return id !== undefined ? { platformId: id } : {};
  }
}
