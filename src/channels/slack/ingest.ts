/**
 * One path from a Slack event or slash command to the durable accept, shared by both transports:
 * classify (inbound.ts), check that an unmentioned thread reply is in a thread the bot is part
 * of, look up the sender's profile, build the envelope and accept it. The caller acknowledges
 * Slack only after this resolves; if it throws, the caller does not acknowledge, so Slack
 * delivers again and the core's dedupe makes the second delivery harmless.
 */
import type { ChannelContext } from "../../core/channel.ts";
import type { Envelope } from "../../core/envelope.ts";
import { makeEnvelope } from "../../core/envelope.ts";
import { SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { SlackDirectory, SlackProfile } from "./identity.ts";
import type { InboundSettings, SlackMessage } from "./inbound.ts";
import { classifyEvent, commandAllowed, parseSlashCommand, slashCommandMessage } from "./inbound.ts";

export type IngestOutcome =
  | { status: "accepted" | "duplicate"; eventId: string }
  | { status: "rejected"; eventId: string; reason: string }
  | { status: "ignored"; reason: string };

/** The ephemeral answer to a slash command, shown only to the person who typed it. */
export interface CommandAnswer {
  response_type: "ephemeral";
  text: string;
}

export const commandAnswers = {
  working: "Working on it…",
  usage: (command: string) => `Usage: ${command} <your message to the agent>`,
  notHere: "Switchboard is not enabled in this channel.",
};

export interface SlackIngestDeps {
  channelId: string;
  source: string;
  settings: () => InboundSettings;
  directory: () => SlackDirectory | undefined;
  context: () => ChannelContext | undefined;
  log: () => Logger;
}

export class SlackIngest {
  private readonly deps: SlackIngestDeps;
  private readonly engaged = new EngagedThreads();

  constructor(deps: SlackIngestDeps) {
    this.deps = deps;
  }

  /** An Events API body (`event_callback`), from an HTTP POST or a Socket Mode envelope. */
  async event(body: unknown, meta: { transport: "http" | "socket"; retry?: number }): Promise<IngestOutcome> {
    const decision = classifyEvent(body, this.deps.settings());
    if (decision.action === "ignore") {
      this.deps.log().debug("Slack event ignored", { reason: decision.reason, transport: meta.transport });
      return { status: "ignored", reason: decision.reason };
    }
    const ctx = this.requireContext();
    const { message } = decision;
    if (decision.action === "accept-if-engaged" && !(await this.isEngaged(ctx, message.conversation.id, decision.message.thread))) {
      return { status: "ignored", reason: "a thread reply without a mention, in a thread the bot is not part of" };
    }
    const outcome = await this.accept(ctx, message, meta);
    if (outcome.status === "accepted" || outcome.status === "duplicate") {
      if (message.conversation.kind === "group" && message.thread !== undefined) this.engaged.add(threadKey(message.conversation.id, message.thread));
    }
    return outcome;
  }

  /** A slash command's fields; returns the outcome and the ephemeral answer for the user. */
  async command(fields: unknown, meta: { transport: "http" | "socket" }): Promise<{ outcome: IngestOutcome; answer: CommandAnswer }> {
    const command = parseSlashCommand(fields);
    if ("error" in command) return { outcome: { status: "ignored", reason: command.error }, answer: ephemeral(command.error) };
    const settings = this.deps.settings();
    if (!commandAllowed(command, settings)) return { outcome: { status: "ignored", reason: "channel not allowed" }, answer: ephemeral(commandAnswers.notHere) };
    const message = slashCommandMessage(command, settings);
    if (!message.text) return { outcome: { status: "ignored", reason: "empty command" }, answer: ephemeral(commandAnswers.usage(command.command)) };
    const outcome = await this.accept(this.requireContext(), message, meta);
    const text = outcome.status === "rejected" ? `Sorry, this was not accepted: ${outcome.reason}` : commandAnswers.working;
    return { outcome, answer: ephemeral(text) };
  }

  private requireContext(): ChannelContext {
    const ctx = this.deps.context();
    // Thrown, so the transport does not acknowledge and Slack delivers again once we are up.
    if (!ctx) throw new SwitchboardError(`channel "${this.deps.channelId}" is not started`, { status: 503 });
    return ctx;
  }

  private async accept(ctx: ChannelContext, message: SlackMessage, meta: { transport: "http" | "socket"; retry?: number }): Promise<IngestOutcome> {
    const profile = (await this.deps.directory()?.lookup(message.userId)) ?? {};
    // Bots without a bot_id on their messages (a bot user's own token) are still bots.
    if (profile.isBot) return { status: "ignored", reason: "a bot user's message" };
    const envelope = this.envelope(message, profile);
    const result = await ctx.accept(envelope);
    const log = this.deps.log();
    if (result.status === "rejected") {
      log.warn("Slack message rejected", { eventId: envelope.eventId, reason: result.reason, transport: meta.transport });
      return { status: "rejected", eventId: envelope.eventId, reason: result.reason };
    }
    log.debug("Slack message accepted", { eventId: envelope.eventId, status: result.status, transport: meta.transport, retry: meta.retry });
    return { status: result.status, eventId: envelope.eventId };
  }

  private envelope(message: SlackMessage, profile: SlackProfile): Envelope {
    const name = profile.name ?? message.userName;
    return makeEnvelope({
      channel: this.deps.channelId,
      source: this.deps.source,
      eventId: message.eventId,
      conversation: message.conversation,
      ...(message.thread !== undefined ? { thread: message.thread } : {}),
      sender: { id: message.userId, ...(name !== undefined ? { name } : {}), ...(profile.email !== undefined ? { email: profile.email } : {}) },
      text: message.text,
      attachments: message.attachments,
      mentions: message.mentions,
      raw: message.raw,
    });
  }

  /** The bot posted the first message of this thread (it spoke first): replies in it are for the bot. */
  async startedThread(ctx: ChannelContext, conversation: string, thread: string): Promise<void> {
    const key = threadKey(conversation, thread);
    this.engaged.add(key);
    await ctx.state.set(startedKey(key), "1");
  }

  /**
   * A thread is the bot's when it was mentioned in it (remembered here), when the thread's
   * first message was accepted (found in the store, so this survives a restart), or when the bot
   * started it (kept in the channel's state, for the same reason).
   */
  private async isEngaged(ctx: ChannelContext, conversation: string, thread: string): Promise<boolean> {
    const key = threadKey(conversation, thread);
    if (this.engaged.has(key)) return true;
    const engaged = (await ctx.lookup(this.deps.channelId, `${conversation}:${thread}`)) !== undefined || (await ctx.state.get(startedKey(key))) !== undefined;
    if (engaged) this.engaged.add(key);
    return engaged;
  }
}

function ephemeral(text: string): CommandAnswer {
  return { response_type: "ephemeral", text };
}

function threadKey(conversation: string, thread: string): string {
  return `${conversation}:${thread}`;
}

function startedKey(threadKey: string): string {
  return `started-thread:${threadKey}`;
}

/** Threads the bot was mentioned in: a bounded set, least recently used first out, with a TTL. */
class EngagedThreads {
  private readonly entries = new Map<string, number>();
  private readonly max: number;
  private readonly ttlMs: number;

  constructor(max = 10_000, ttlMs = 7 * 86_400_000) {
    this.max = max;
    this.ttlMs = ttlMs;
  }

  has(key: string): boolean {
    const expires = this.entries.get(key);
    if (expires === undefined) return false;
    if (expires < Date.now()) {
      this.entries.delete(key);
      return false;
    }
    return true;
  }

  add(key: string): void {
    this.entries.delete(key);
    this.entries.set(key, Date.now() + this.ttlMs);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
