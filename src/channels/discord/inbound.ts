/**
 * Pure classification of what Discord sends: which gateway messages the bot answers (DMs always;
 * in servers only a mention, a reply to the bot, or a message in a thread it is engaged in), and
 * what a slash command asks. No I/O here, so every rule is unit-tested on plain payloads.
 */
import type { Attachment } from "../../core/envelope.ts";

export interface InboundSettings {
  botUserId: string;
  /** In servers, answer only mentions and replies to the bot (and threads it is engaged in). */
  requireMention: boolean;
  allowedGuildIds?: ReadonlySet<string>;
}

/** The fields of a Discord message object the channel reads. */
export interface DiscordMessagePayload {
  id: string;
  channel_id: string;
  guild_id?: string;
  type?: number;
  webhook_id?: string;
  content?: string;
  author?: { id: string; username?: string; global_name?: string | null; bot?: boolean };
  member?: { nick?: string | null };
  mentions?: Array<{ id: string; username?: string; global_name?: string | null }>;
  attachments?: Array<{ id: string; filename: string; content_type?: string; size?: number; url?: string }>;
  referenced_message?: { author?: { id: string } } | null;
}

export interface InboundMessage {
  eventId: string;
  channelId: string;
  guildId?: string;
  userId: string;
  userName?: string;
  text: string;
  attachments: Attachment[];
  mentions: string[];
}

export type MessageDecision =
  | { action: "ignore"; reason: string }
  /** A DM, or a server message addressed to the bot. */
  | { action: "accept"; message: InboundMessage }
  /** A server message not addressed to the bot: answered only inside a thread the bot is engaged in. */
  | { action: "accept-if-engaged"; message: InboundMessage };

/** Message types that carry a person's words: DEFAULT and REPLY; joins, pins and the like do not. */
const conversationalTypes = new Set([0, 19]);

export function classifyMessage(payload: DiscordMessagePayload, settings: InboundSettings): MessageDecision {
  const author = payload.author;
  if (!author) return { action: "ignore", reason: "no author" };
  if (author.id === settings.botUserId) return { action: "ignore", reason: "our own message" };
  if (author.bot || payload.webhook_id !== undefined) return { action: "ignore", reason: "a bot's or webhook's message" };
  if (!conversationalTypes.has(payload.type ?? 0)) return { action: "ignore", reason: `message type ${payload.type}` };
  if (payload.guild_id !== undefined && settings.allowedGuildIds && !settings.allowedGuildIds.has(payload.guild_id)) {
    return { action: "ignore", reason: "server not allowed" };
  }
  const content = payload.content ?? "";
  const mentioned = (payload.mentions ?? []).some((user) => user.id === settings.botUserId) || mentionPattern(settings.botUserId).test(content);
  const message: InboundMessage = {
    eventId: payload.id,
    channelId: payload.channel_id,
    ...(payload.guild_id !== undefined ? { guildId: payload.guild_id } : {}),
    userId: author.id,
    ...displayName(payload),
    text: readableText(content, payload, settings.botUserId),
    attachments: (payload.attachments ?? []).map((file) => ({
      name: file.filename,
      ...(file.content_type !== undefined ? { mimeType: file.content_type } : {}),
      ...(file.size !== undefined ? { size: file.size } : {}),
      ...(file.url !== undefined ? { url: file.url } : {}),
    })),
    mentions: (payload.mentions ?? []).map((user) => user.id).filter((id) => id !== settings.botUserId),
  };
  if (!message.text && message.attachments.length === 0) return { action: "ignore", reason: "nothing to answer (empty message)" };
  if (payload.guild_id === undefined) return { action: "accept", message };
  const repliesToBot = payload.referenced_message?.author?.id === settings.botUserId;
  if (mentioned || repliesToBot || !settings.requireMention) return { action: "accept", message };
  return { action: "accept-if-engaged", message };
}

function mentionPattern(userId: string): RegExp {
  return new RegExp(`<@!?${userId}>`, "g");
}

/** The words without the bot's own mention, and other users' mentions as `@name`. */
function readableText(content: string, payload: DiscordMessagePayload, botUserId: string): string {
  const names = new Map((payload.mentions ?? []).map((user) => [user.id, user.global_name ?? user.username ?? user.id]));
  return content
    .replace(mentionPattern(botUserId), "")
    .replace(/<@!?(\d+)>/g, (whole, id: string) => (names.has(id) ? `@${names.get(id)}` : whole))
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

function displayName(payload: DiscordMessagePayload): { userName?: string } {
  const name = payload.member?.nick ?? payload.author?.global_name ?? payload.author?.username;
  return name ? { userName: name } : {};
}

/** The fields of an APPLICATION_COMMAND interaction the channel reads. */
export interface CommandInteraction {
  id: string;
  application_id: string;
  token: string;
  type: number;
  guild_id?: string;
  channel_id?: string;
  channel?: { id: string; type: number; parent_id?: string | null };
  member?: { nick?: string | null; user?: { id: string; username?: string; global_name?: string | null } };
  user?: { id: string; username?: string; global_name?: string | null };
  data?: { name?: string; options?: Array<{ name: string; type: number; value?: unknown }> };
}

export interface SlashCommand {
  interactionId: string;
  applicationId: string;
  token: string;
  name: string;
  channelId: string;
  channelType?: number;
  parentId?: string;
  guildId?: string;
  userId: string;
  userName?: string;
  /** The string options' values, in order: `/ask prompt: hello` → "hello". */
  text: string;
}

export function parseSlashCommand(interaction: CommandInteraction): SlashCommand | { error: string } {
  const user = interaction.member?.user ?? interaction.user;
  const channelId = interaction.channel?.id ?? interaction.channel_id;
  if (!user || !channelId || !interaction.data?.name) return { error: "an application command without a user, channel or name" };
  const name = interaction.member?.nick ?? user.global_name ?? user.username;
  const text = (interaction.data.options ?? [])
    .filter((option) => option.type === 3 && typeof option.value === "string")
    .map((option) => String(option.value))
    .join(" ")
    .trim();
  return {
    interactionId: interaction.id,
    applicationId: interaction.application_id,
    token: interaction.token,
    name: interaction.data.name,
    channelId,
    ...(interaction.channel?.type !== undefined ? { channelType: interaction.channel.type } : {}),
    ...(interaction.channel?.parent_id ? { parentId: interaction.channel.parent_id } : {}),
    ...(interaction.guild_id !== undefined ? { guildId: interaction.guild_id } : {}),
    userId: user.id,
    ...(name ? { userName: name } : {}),
    text,
  };
}

/** Public, private and announcement threads: each is its own session. */
export const THREAD_CHANNEL_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);
