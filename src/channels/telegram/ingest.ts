/**
 * One path from a Telegram update to the durable accept, shared by long polling and the
 * webhook: classify (inbound.ts), build the envelope, accept. It throws when the gateway could
 * not accept, so the poller keeps its offset before the update and the webhook answers 5xx:
 * either way Telegram delivers the update again, and the core's dedupe makes that harmless.
 */
import type { Update } from "grammy/types";
import type { ChannelContext } from "../../core/channel.ts";
import { makeEnvelope } from "../../core/envelope.ts";
import { SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { classifyUpdate, type InboundSettings } from "./inbound.ts";

export type IngestOutcome =
  | { status: "accepted" | "duplicate"; eventId: string }
  | { status: "rejected"; eventId: string; reason: string }
  | { status: "ignored"; reason: string };

export interface TelegramIngestDeps {
  channelId: string;
  source: string;
  /** Undefined until the channel knows who the bot is (getMe). */
  settings: () => InboundSettings | undefined;
  context: () => ChannelContext | undefined;
  log: () => Logger;
}

export class TelegramIngest {
  private readonly deps: TelegramIngestDeps;

  constructor(deps: TelegramIngestDeps) {
    this.deps = deps;
  }

  async update(update: Update, transport: "webhook" | "polling"): Promise<IngestOutcome> {
    const settings = this.deps.settings();
    const ctx = this.deps.context();
    // Thrown, so the update is not confirmed and Telegram delivers it again once we are up.
    if (!settings || !ctx) throw new SwitchboardError(`channel "${this.deps.channelId}" is not started`, { status: 503 });
    const log = this.deps.log();
    const decision = classifyUpdate(update, settings);
    if (decision.action === "ignore") {
      log.debug("Telegram update ignored", { updateId: update.update_id, reason: decision.reason, transport });
      return { status: "ignored", reason: decision.reason };
    }
    const { message } = decision;
    const envelope = makeEnvelope({
      channel: this.deps.channelId,
      source: this.deps.source,
      eventId: message.eventId,
      conversation: message.conversation,
      ...(message.thread !== undefined ? { thread: message.thread } : {}),
      sender: message.sender,
      text: message.text,
      attachments: message.attachments,
      mentions: message.mentions,
      replyRef: message.replyRef,
      raw: message.raw,
    });
    const result = await ctx.accept(envelope);
    if (result.status === "rejected") {
      log.warn("Telegram message rejected", { eventId: envelope.eventId, reason: result.reason, transport });
      return { status: "rejected", eventId: envelope.eventId, reason: result.reason };
    }
    log.debug("Telegram message accepted", { eventId: envelope.eventId, status: result.status, transport });
    return { status: result.status, eventId: envelope.eventId };
  }
}
