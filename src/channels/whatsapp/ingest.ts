/**
 * From webhook items to durable accepts. For each user message: open the customer-service window
 * (before the accept, so a fast reply already sees it), skip numbers not allowed or not ours, build
 * the envelope (eventId = wamid) and accept it, then mark it read. Statuses are logged: a `failed`
 * one is how Meta reports some refusals (131047 among them) after it took the message.
 */
import type { ChannelContext } from "../../core/channel.ts";
import { makeEnvelope } from "../../core/envelope.ts";
import { SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { InboundMessage, WebhookItem } from "./inbound.ts";
import type { CustomerServiceWindows } from "./window.ts";

export interface WhatsAppIngestDeps {
  channelId: string;
  source: string;
  phoneNumberId: string;
  allowedSenders?: ReadonlySet<string>;
  context: () => { ctx: ChannelContext; windows: CustomerServiceWindows } | undefined;
  /** Fill in a media attachment's download URL before the accept (optional; failures leave it out). */
  resolveMedia?: (message: InboundMessage) => Promise<void>;
  /** Called for each newly accepted message; never for duplicates. */
  accepted: (message: InboundMessage) => void;
  log: () => Logger;
}

export async function ingestItems(deps: WhatsAppIngestDeps, items: WebhookItem[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  const log = deps.log();
  for (const item of items) {
    if (item.kind === "skipped") {
      log.info("WhatsApp message skipped", { reason: item.reason, ...(item.id ? { eventId: item.id } : {}) });
      count("skipped");
    } else if (item.kind === "status") {
      logStatus(log, item.status);
      count("statuses");
    } else {
      count(await ingestMessage(deps, item.message));
    }
  }
  return counts;
}

async function ingestMessage(deps: WhatsAppIngestDeps, message: InboundMessage): Promise<string> {
  const log = deps.log();
  if (message.phoneNumberId !== deps.phoneNumberId) {
    // The app's webhook is shared by all its numbers; another channel (or nobody) answers that one.
    log.debug("WhatsApp message to another business number ignored", { phoneNumberId: message.phoneNumberId });
    return "ignored";
  }
  if (deps.allowedSenders && !deps.allowedSenders.has(message.from)) {
    log.info("WhatsApp message from a number not in allowedSenders ignored", { eventId: message.eventId });
    return "ignored";
  }
  const started = deps.context();
  // Thrown, so the delivery gets a 5xx and Meta sends it again once the channel is up.
  if (!started) throw new SwitchboardError(`channel "${deps.channelId}" is not started`, { status: 503 });
  await started.windows.userWrote(message.from, message.sentAtMs);
  if (message.attachments.length > 0) await deps.resolveMedia?.(message);
  const result = await started.ctx.accept(
    makeEnvelope({
      channel: deps.channelId,
      source: deps.source,
      eventId: message.eventId,
      conversation: { id: message.from, kind: "dm" },
      sender: { id: message.from, ...(message.name !== undefined ? { name: message.name } : {}) },
      text: message.text,
      attachments: message.attachments,
      replyRef: message.eventId,
      raw: message.raw,
    }),
  );
  if (result.status === "rejected") {
    log.warn("WhatsApp message rejected", { eventId: message.eventId, reason: result.reason });
    return "rejected";
  }
  log.debug("WhatsApp message accepted", { eventId: message.eventId, status: result.status, type: message.type });
  if (result.status === "accepted") deps.accepted(message);
  return result.status;
}

function logStatus(log: Logger, status: { id: string; status: string; errors?: Array<{ code: number; title?: string; message?: string }> | undefined }): void {
  if (status.status !== "failed") {
    log.debug("WhatsApp delivery status", { messageId: status.id, status: status.status });
    return;
  }
  const error = status.errors?.[0];
  log.warn("WhatsApp reported a sent message as failed", {
    messageId: status.id,
    code: error?.code,
    reason: error?.message ?? error?.title,
    ...(error?.code === 131047 ? { hint: "the 24-hour window had closed; configure templateOnWindowClosed" } : {}),
  });
}
