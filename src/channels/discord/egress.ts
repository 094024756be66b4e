/**
 * Outbound Discord through `@discordjs/rest`: channel messages (a reply reference on the first
 * part, a nonce so a retried post is not doubled), interaction answers through the interaction's
 * webhook (the deferred original response, then follow-ups), edits and typing. Short rate-limit
 * waits are left to the REST client's per-route buckets; a longer one, and every failure, becomes
 * a DeliveryError so the outbox retries durably (and, for a 429, after Discord's retry_after).
 */
import { createHash } from "node:crypto";
import { DiscordAPIError, HTTPError, RateLimitError, REST } from "@discordjs/rest";
import { Routes, type APIMessage } from "discord-api-types/v10";
import type { Address, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { scrub } from "../../core/log.ts";
import { decodeReplyRef, isFirstPart, type DiscordReplyRef } from "./reply-ref.ts";

/** Discord's public API base; @discordjs/rest appends `/v10`. */
export const DISCORD_API_URL = "https://discord.com/api";

export interface DiscordRestOptions {
  apiUrl?: string;
  /** Rate-limit waits up to this long happen inside the REST client; longer ones go back to the outbox. */
  maxRateLimitWaitMs: number;
  timeoutMs?: number;
}

/** A REST client that never retries by itself: the outbox does, durably. */
export function createRest(token: string, options: DiscordRestOptions): REST {
  return new REST({
    api: options.apiUrl ?? DISCORD_API_URL,
    version: "10",
    retries: 0,
    timeout: options.timeoutMs ?? 15_000,
    rejectOnRateLimit: (limit) => limit.retryAfter > options.maxRateLimitWaitMs,
  }).setToken(token);
}

/** Nobody is pinged by what the agent writes (no @everyone, no roles); only the replied-to user is. */
const allowedMentions = { parse: [] as string[], replied_user: true };

/** What to tell the operator for Discord's JSON error codes. */
const hints: Record<number, string> = {
  10003: "the channel does not exist or the bot cannot see it",
  10008: "the message no longer exists",
  50001: "the bot has no access to this channel (check its role and the channel's permissions)",
  50013: "the bot lacks a permission here (Send Messages, Send Messages in Threads, Read Message History)",
  50007: "this user does not accept direct messages from the bot",
  50027: "the interaction token expired or is invalid",
  50035: "Discord refused the message body (invalid form body)",
  40005: "the message is too large",
};

export function deliveryError(action: string, error: unknown): DeliveryError {
  if (error instanceof RateLimitError) {
    const waitMs = Math.max(error.retryAfter, error.timeToReset, 0);
    return new DeliveryError(`Discord rate-limited ${action} (${error.global ? "global" : `route ${error.route}`}); retry after ${waitMs} ms`, {
      retryable: true,
      retryAfterMs: waitMs,
      status: 429,
    });
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === "number" ? error.code : Number(error.code);
    const hint = hints[code];
    const message = `Discord ${action} failed: HTTP ${error.status}, code ${error.code}${hint ? `: ${hint}` : `: ${scrub(error.message)}`}`;
    if (error.status === 401) return new DeliveryError(`${message} (is channels.<id>.botToken right?)`, { retryable: false });
    return new DeliveryError(message, { retryable: error.status >= 500 || error.status === 429 || error.status === 408, status: 502 });
  }
  if (error instanceof HTTPError) {
    return new DeliveryError(`Discord ${action} failed: HTTP ${error.status}`, { retryable: error.status >= 500 || error.status === 408 || error.status === 429 });
  }
  return new DeliveryError(`Discord ${action} failed: ${scrub(error instanceof Error ? error.message : String(error))}`, { retryable: true });
}

/** Discord dedupes a channel post with the same nonce (`enforce_nonce`) for a few minutes; nonces are at most 25 characters. */
export function nonceFor(idempotencyKey: string): string {
  return createHash("sha256").update(idempotencyKey).digest("base64url").slice(0, 25);
}

export class DiscordEgress {
  private readonly rest: REST;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(rest: REST, log: Logger, now: () => number = Date.now) {
    this.rest = rest;
    this.log = log;
    this.now = now;
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const ref = this.liveRef(message.to);
    if (ref?.kind === "interaction") {
      const first = isFirstPart(message.idempotencyKey);
      try {
        const sent = first
          ? await this.rest.patch(Routes.webhookMessage(ref.applicationId, ref.token, "@original"), { body: { content: message.text, allowed_mentions: allowedMentions }, auth: false })
          : await this.rest.post(Routes.webhook(ref.applicationId, ref.token), { body: { content: message.text, allowed_mentions: allowedMentions }, query: new URLSearchParams({ wait: "true" }), auth: false });
        return { platformId: (sent as APIMessage).id };
      } catch (error) {
        if (!(error instanceof DiscordAPIError && (error.code === 50027 || error.code === 10015))) throw deliveryError(first ? "answering the interaction" : "an interaction follow-up", error);
        // The token died early (the interaction was deleted): the answer still reaches the channel.
        this.log.warn("Discord interaction token no longer valid; posting in the channel instead", { code: error.code });
      }
    }
    return this.post(message, ref?.kind === "message" ? ref.messageId : undefined);
  }

  async edit(to: Address, sent: SentMessage, text: string): Promise<void> {
    if (sent.platformId === undefined) throw new DeliveryError("cannot edit a Discord message without its id", { retryable: false });
    const ref = this.liveRef(to);
    try {
      if (ref?.kind === "interaction") {
        await this.rest.patch(Routes.webhookMessage(ref.applicationId, ref.token, sent.platformId), { body: { content: text, allowed_mentions: allowedMentions }, auth: false });
      } else {
        await this.rest.patch(Routes.channelMessage(target(to), sent.platformId), { body: { content: text, allowed_mentions: allowedMentions } });
      }
    } catch (error) {
      throw deliveryError("editing a message", error);
    }
  }

  /** "Bot is typing…" for ~10 s. A deferred slash command already shows "thinking…", so nothing then. */
  async typing(to: Address): Promise<void> {
    if (this.liveRef(to)?.kind === "interaction") return;
    try {
      await this.rest.post(Routes.channelTyping(target(to)));
    } catch (error) {
      this.log.debug("Discord typing indicator not shown", { error: deliveryError("typing", error).message });
    }
  }

  private async post(message: OutboundMessage, replyTo: string | undefined): Promise<SentMessage> {
    const answering = replyTo !== undefined && isFirstPart(message.idempotencyKey);
    try {
      const sent = (await this.rest.post(Routes.channelMessages(target(message.to)), {
        body: {
          content: message.text,
          allowed_mentions: allowedMentions,
          nonce: nonceFor(message.idempotencyKey),
          enforce_nonce: true,
          ...(answering ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}),
        },
      })) as APIMessage;
      return { platformId: sent.id };
    } catch (error) {
      throw deliveryError("posting a message", error);
    }
  }

  /** The reply ref, unless it is an interaction whose token has run out (then: a channel post). */
  private liveRef(to: Address): DiscordReplyRef | undefined {
    const ref = decodeReplyRef(to.ref);
    if (ref?.kind === "interaction" && ref.expiresAt <= this.now()) return undefined;
    return ref;
  }
}

/** Threads are channels on Discord: a reply in a thread is posted to the thread's id. */
function target(to: Address): string {
  return to.thread ?? to.conversation;
}
