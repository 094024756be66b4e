/**
 * Slack events and slash commands, parsed and classified: which ones the gateway answers, and
 * the message each becomes. Pure functions: no network, no clock. The bot's own messages, other
 * bots' messages, edits and joins are dropped here, so the gateway never talks to itself.
 */
import { z } from "zod";
import type { Attachment, Conversation } from "../../core/envelope.ts";

export interface InboundSettings {
  /** The bot's user id (from `auth.test`), as it appears in `<@…>` mentions. */
  botUserId: string;
  /** The bot's bot id (from `auth.test`), set on messages the bot posted. */
  botId?: string;
  /** In channels, answer only messages that mention the bot (and follow-ups in its threads). */
  requireMention: boolean;
  /** When set, rooms outside this list are ignored; DMs are not affected. */
  allowedChannelIds?: ReadonlySet<string>;
}

/** A Slack message on its way to becoming an envelope (the sender's profile is looked up later). */
export interface SlackMessage {
  /**
   * `<channel>:<ts>`: one Slack message has one id, whichever event delivered it. A mention in a
   * channel arrives twice (`app_mention` and `message.channels`, with different `event_id`s), and
   * a retry arrives again; all of them are the same message to the core's dedupe.
   */
  eventId: string;
  conversation: Conversation;
  /** The Slack thread (`thread_ts`) to reply into; undefined for a top-level DM. */
  thread?: string;
  userId: string;
  /** The Slack user name when the payload carries one (slash commands do). */
  userName?: string;
  text: string;
  attachments: Attachment[];
  mentions: string[];
  raw: unknown;
}

export type InboundDecision =
  | { action: "accept"; message: SlackMessage }
  /** A reply in a channel thread that does not mention the bot: answer it only in a thread the bot is part of. */
  | { action: "accept-if-engaged"; message: SlackMessage & { thread: string } }
  | { action: "ignore"; reason: string };

const fileSchema = z.object({
  name: z.string().optional(),
  title: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private: z.string().optional(),
});

const eventSchema = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().nullish(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  files: z.array(fileSchema).optional(),
});

const callbackSchema = z.object({ type: z.literal("event_callback"), event: eventSchema });

type SlackEvent = z.infer<typeof eventSchema>;

/** Message subtypes a person produces; everything else (edits, deletions, joins, bots) is not a new message. */
const humanSubtypes = new Set([undefined, "file_share", "thread_broadcast", "me_message"]);

/** Decide what to do with an Events API body (`event_callback`), over HTTP or Socket Mode alike. */
export function classifyEvent(body: unknown, settings: InboundSettings): InboundDecision {
  const parsed = callbackSchema.safeParse(body);
  if (!parsed.success) return { action: "ignore", reason: "not an event_callback with an event" };
  const event = parsed.data.event;
  if (event.type !== "message" && event.type !== "app_mention") return { action: "ignore", reason: `event type ${event.type} is not handled` };
  if (event.bot_id || event.subtype === "bot_message") return { action: "ignore", reason: "a bot's message" };
  if (event.user === settings.botUserId) return { action: "ignore", reason: "the bot's own message" };
  if (!humanSubtypes.has(event.subtype)) return { action: "ignore", reason: `message subtype ${event.subtype} is not a new message` };
  if (!event.user || !event.channel || !event.ts) return { action: "ignore", reason: "an event without user, channel or ts" };

  const kind = conversationKind(event);
  if (kind === "group" && settings.allowedChannelIds && !settings.allowedChannelIds.has(event.channel)) {
    return { action: "ignore", reason: `channel ${event.channel} is not in allowed_channel_ids` };
  }
  const text = cleanText(event.text ?? "", settings.botUserId);
  const attachments = (event.files ?? []).map(toAttachment);
  if (!text && attachments.length === 0) return { action: "ignore", reason: "an empty message" };

  const message: SlackMessage = {
    eventId: `${event.channel}:${event.ts}`,
    conversation: { id: event.channel, kind },
    // In a room every exchange is a thread: a top-level mention starts one keyed by its own ts.
    // In a DM the top level is the conversation; a thread there is one only if the user made it.
    thread: kind === "dm" ? event.thread_ts : (event.thread_ts ?? event.ts),
    userId: event.user,
    text,
    attachments,
    mentions: mentionedUsers(event.text ?? "", settings.botUserId),
    raw: event,
  };
  if (kind === "dm" || !settings.requireMention) return { action: "accept", message };
  if (event.type === "app_mention" || mentionsBot(event.text ?? "", settings.botUserId)) return { action: "accept", message };
  if (event.thread_ts !== undefined && event.thread_ts !== event.ts) return { action: "accept-if-engaged", message: { ...message, thread: event.thread_ts } };
  return { action: "ignore", reason: "a channel message that does not mention the bot (require_mention)" };
}

function conversationKind(event: SlackEvent): Conversation["kind"] {
  if (event.channel_type !== undefined) return event.channel_type === "im" ? "dm" : "group";
  // app_mention carries no channel_type; DM ids start with D.
  return event.channel?.startsWith("D") ? "dm" : "group";
}

const mentionPattern = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;

function mentionsBot(text: string, botUserId: string): boolean {
  for (const match of text.matchAll(mentionPattern)) if (match[1] === botUserId) return true;
  return false;
}

function mentionedUsers(text: string, botUserId: string): string[] {
  const users = new Set<string>();
  for (const match of text.matchAll(mentionPattern)) if (match[1] !== botUserId) users.add(match[1]!);
  return [...users];
}

/** The text as the agent should read it: the bot's own mention removed and Slack's escapes undone. */
export function cleanText(text: string, botUserId: string): string {
  // The mention and the space (or ", " / ": ") after it go; the rest keeps its layout (code, indentation).
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>[,:]?[ \t]?/g, (whole, id: string) => (id === botUserId ? "" : whole))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .trim();
}

/** File metadata only: the agent gets the private URL, never a token to fetch it with. */
function toAttachment(file: z.infer<typeof fileSchema>): Attachment {
  return {
    name: file.name ?? file.title ?? "file",
    ...(file.mimetype !== undefined ? { mimeType: file.mimetype } : {}),
    ...(file.size !== undefined ? { size: file.size } : {}),
    ...(file.url_private !== undefined ? { url: file.url_private } : {}),
  };
}

const slashCommandSchema = z.object({
  command: z.string().min(1),
  text: z.string().default(""),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  channel_id: z.string().min(1),
  trigger_id: z.string().min(1),
});

export type SlashCommand = z.infer<typeof slashCommandSchema>;

/** A slash command's fields (form-encoded over HTTP, a JSON payload over Socket Mode), or why not. */
export function parseSlashCommand(fields: unknown): SlashCommand | { error: string } {
  const parsed = slashCommandSchema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return { error: `not a slash command: ${issue.path.join(".") || "body"}: ${issue.message}` };
}

/**
 * The message a slash command becomes. A command is a private request from one person (nobody
 * else sees it being typed), so it continues that person's own conversation with the agent, the
 * same session as their DM with the bot, and the answer is posted where the command was typed.
 */
export function slashCommandMessage(command: SlashCommand, settings: Pick<InboundSettings, "botUserId">): SlackMessage {
  const text = cleanText(command.text, settings.botUserId);
  return {
    eventId: `command:${command.trigger_id}`,
    conversation: { id: command.channel_id, kind: "dm" },
    userId: command.user_id,
    ...(command.user_name !== undefined ? { userName: command.user_name } : {}),
    // Slack keeps `/new` for itself, so `/switchboard new` (or `reset`) is how a person starts over.
    text: /^(new|reset)$/i.test(text) ? "/new" : text,
    attachments: [],
    mentions: mentionedUsers(command.text, settings.botUserId),
    raw: { command: command.command, text: command.text, user_id: command.user_id, channel_id: command.channel_id },
  };
}

/** Whether a slash command may run in this channel (DMs are never restricted). */
export function commandAllowed(command: SlashCommand, settings: Pick<InboundSettings, "allowedChannelIds">): boolean {
  if (!settings.allowedChannelIds || command.channel_id.startsWith("D")) return true;
  return settings.allowedChannelIds.has(command.channel_id);
}
