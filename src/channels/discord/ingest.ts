/**
 * From a classified Discord message or slash command to the durable accept: find where it was
 * said (channel or thread), decide whether an unmentioned server message is in a thread the bot
 * is engaged in, build the envelope (`eventId` = Discord's message or interaction id, so a
 * replayed event is a duplicate) and accept it. Threads the bot answered in are remembered in the
 * channel's durable state, so follow-ups without a mention are still answered after a restart.
 */
import type { ChannelContext } from "../../core/channel.ts";
import { makeEnvelope, type Conversation } from "../../core/envelope.ts";
import { SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { ChannelPlace, DiscordChannelDirectory } from "./directory.ts";
import { classifyMessage, type DiscordMessagePayload, type InboundMessage, type InboundSettings, type SlashCommand } from "./inbound.ts";
import { encodeReplyRef, INTERACTION_TOKEN_TTL_MS } from "./reply-ref.ts";

export type IngestOutcome =
  | { status: "accepted" | "duplicate"; eventId: string }
  | { status: "rejected"; eventId: string; reason: string }
  | { status: "ignored"; reason: string };

export interface DiscordIngestDeps {
  channelId: string;
  source: string;
  settings: () => InboundSettings;
  directory: () => DiscordChannelDirectory | undefined;
  context: () => ChannelContext | undefined;
  log: () => Logger;
  now?: () => number;
}

interface Said {
  eventId: string;
  place: ChannelPlace;
  kind: Conversation["kind"];
  userId: string;
  userName?: string;
  text: string;
  attachments?: InboundMessage["attachments"];
  mentions?: string[];
  replyRef: string;
  raw: unknown;
}

export class DiscordIngest {
  private readonly deps: DiscordIngestDeps;
  private readonly engaged = new Set<string>();

  constructor(deps: DiscordIngestDeps) {
    this.deps = deps;
  }

  /** A MESSAGE_CREATE from the gateway. */
  async message(payload: DiscordMessagePayload): Promise<IngestOutcome> {
    const decision = classifyMessage(payload, this.deps.settings());
    if (decision.action === "ignore") {
      this.deps.log().debug("Discord message ignored", { reason: decision.reason });
      return { status: "ignored", reason: decision.reason };
    }
    const ctx = this.requireContext();
    const { message } = decision;
    if (decision.action === "accept-if-engaged" && !(await this.isEngaged(ctx, message.channelId))) {
      return { status: "ignored", reason: "a server message without a mention, outside a thread the bot is engaged in" };
    }
    const dm = message.guildId === undefined;
    const place = dm ? { conversation: message.channelId } : await this.requireDirectory().place(message.channelId);
    return this.accept(ctx, {
      eventId: message.eventId,
      place,
      kind: dm ? "dm" : "group",
      userId: message.userId,
      ...(message.userName !== undefined ? { userName: message.userName } : {}),
      text: message.text,
      attachments: message.attachments,
      mentions: message.mentions,
      replyRef: encodeReplyRef({ kind: "message", messageId: message.eventId }),
      raw: payload,
    });
  }

  /** A slash command; the caller answers Discord with a deferred response once this resolved. */
  async command(command: SlashCommand): Promise<IngestOutcome> {
    const ctx = this.requireContext();
    const place =
      command.channelType !== undefined
        ? this.requireDirectory().remember(command.channelId, command.channelType, command.parentId)
        : command.guildId === undefined
          ? { conversation: command.channelId }
          : await this.requireDirectory().place(command.channelId);
    const now = this.deps.now?.() ?? Date.now();
    return this.accept(ctx, {
      eventId: command.interactionId,
      place,
      kind: command.guildId === undefined ? "dm" : "group",
      userId: command.userId,
      ...(command.userName !== undefined ? { userName: command.userName } : {}),
      text: command.text,
      replyRef: encodeReplyRef({ kind: "interaction", applicationId: command.applicationId, token: command.token, expiresAt: now + INTERACTION_TOKEN_TTL_MS }),
      raw: { command: command.name, interactionId: command.interactionId, channelId: command.channelId, guildId: command.guildId },
    });
  }

  private async accept(ctx: ChannelContext, said: Said): Promise<IngestOutcome> {
    const envelope = makeEnvelope({
      channel: this.deps.channelId,
      source: this.deps.source,
      eventId: said.eventId,
      conversation: { id: said.place.conversation, kind: said.kind },
      ...(said.place.thread !== undefined ? { thread: said.place.thread } : {}),
      sender: { id: said.userId, ...(said.userName !== undefined ? { name: said.userName } : {}) },
      text: said.text,
      attachments: said.attachments ?? [],
      mentions: said.mentions ?? [],
      replyRef: said.replyRef,
      raw: said.raw,
    });
    const result = await ctx.accept(envelope);
    if (result.status === "rejected") {
      this.deps.log().warn("Discord message rejected", { eventId: said.eventId, reason: result.reason });
      return { status: "rejected", eventId: said.eventId, reason: result.reason };
    }
    if (said.kind === "group" && said.place.thread !== undefined) await this.engage(ctx, said.place.thread);
    this.deps.log().debug("Discord message accepted", { eventId: said.eventId, status: result.status });
    return { status: result.status, eventId: said.eventId };
  }

  /** From now on the bot takes part in this thread: unmentioned messages in it are for the bot. */
  async engage(ctx: ChannelContext, thread: string): Promise<void> {
    if (this.engaged.has(thread)) return;
    // Only a cache of the durable state: dropping it costs a store read, never an answer.
    if (this.engaged.size >= 10_000) this.engaged.clear();
    this.engaged.add(thread);
    await ctx.state.set(engagedKey(thread), "1");
  }

  /**
   * Engaged: the bot answered in this thread before (durable state), or the thread was started
   * from a message the bot answered (Discord gives such a thread the message's id).
   */
  private async isEngaged(ctx: ChannelContext, channelId: string): Promise<boolean> {
    if (this.engaged.has(channelId)) return true;
    const known = (await ctx.state.get(engagedKey(channelId))) !== undefined || (await ctx.lookup(this.deps.channelId, channelId)) !== undefined;
    if (known) this.engaged.add(channelId);
    return known;
  }

  private requireContext(): ChannelContext {
    const ctx = this.deps.context();
    if (!ctx) throw new SwitchboardError(`channel "${this.deps.channelId}" is not started`, { status: 503 });
    return ctx;
  }

  private requireDirectory(): DiscordChannelDirectory {
    const directory = this.deps.directory();
    if (!directory) throw new SwitchboardError(`channel "${this.deps.channelId}" is not started`, { status: 503 });
    return directory;
  }
}

function engagedKey(thread: string): string {
  return `engaged-thread:${thread}`;
}
