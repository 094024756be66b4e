/**
 * Which Telegram updates are questions for the agent, and what they say. Private chats are
 * always answered; in groups the bot answers only when it is @mentioned, addressed by a command
 * (`/ask@bot`), or replied to, unless `requireMention` is off. A forum topic is a thread of its
 * own, so each topic gets its own session and the reply goes back into that topic.
 */
import type { Message, MessageEntity, Update } from "grammy/types";
import type { Attachment, Conversation, Sender } from "../../core/envelope.ts";

export interface BotIdentity {
  id: number;
  /** Without the @. */
  username: string;
}

export interface InboundSettings {
  bot: BotIdentity;
  requireMention: boolean;
  /** When set, only these group chats are answered; private chats are not affected. */
  allowedChatIds?: ReadonlySet<string>;
}

export interface TelegramMessage {
  /** `<chat id>:<message id>`: see eventIdOf. */
  eventId: string;
  conversation: Conversation;
  /** The forum topic (`message_thread_id`), when the message is in one. */
  thread?: string;
  sender: Sender;
  text: string;
  attachments: Attachment[];
  mentions: string[];
  /** The message id, so the reply can quote it in a group. */
  replyRef: string;
  raw: Message;
}

export type Classified = { action: "accept"; message: TelegramMessage } | { action: "ignore"; reason: string };

/**
 * The dedupe key. Not `update_id`: Telegram restarts that sequence at random after a week
 * without updates, and a message keeps its chat-scoped id whether it came by webhook or long
 * polling, so switching modes (or a redelivery in the other mode) still yields one reply.
 */
export function eventIdOf(message: Pick<Message, "chat" | "message_id">): string {
  return `${message.chat.id}:${message.message_id}`;
}

export function classifyUpdate(update: Update, settings: InboundSettings): Classified {
  const message = update.message;
  if (!message) return { action: "ignore", reason: `update kind not answered (${Object.keys(update).filter((k) => k !== "update_id").join(", ") || "empty"})` };
  if (!message.from) return { action: "ignore", reason: "no sender (a channel post)" };
  if (message.from.id === settings.bot.id) return { action: "ignore", reason: "the bot's own message" };
  if (message.from.is_bot) return { action: "ignore", reason: "a bot's message" };
  const body = message.text ?? message.caption ?? "";
  const entities = message.entities ?? message.caption_entities ?? [];
  const attachments = attachmentsOf(message);
  if (!body.trim() && attachments.length === 0) return { action: "ignore", reason: "no text or file (a service message)" };

  const isPrivate = message.chat.type === "private";
  const chatId = String(message.chat.id);
  const addressed = addressedToBot(body, entities, settings.bot);
  const repliesToBot = message.reply_to_message?.from?.id === settings.bot.id && !isTopicRoot(message);
  if (!isPrivate) {
    if (settings.allowedChatIds && !settings.allowedChatIds.has(chatId)) return { action: "ignore", reason: "group not in allowedChatIds" };
    if (settings.requireMention && !addressed && !repliesToBot) return { action: "ignore", reason: "a group message that does not mention or reply to the bot" };
  }

  const sender: Sender = { id: String(message.from.id), name: displayName(message.from) };
  const thread = message.is_topic_message && message.message_thread_id !== undefined ? String(message.message_thread_id) : undefined;
  return {
    action: "accept",
    message: {
      eventId: eventIdOf(message),
      conversation: { id: chatId, kind: isPrivate ? "dm" : "group" },
      ...(thread !== undefined ? { thread } : {}),
      sender,
      text: withoutBotMention(body, entities, settings.bot),
      attachments,
      mentions: addressed ? [settings.bot.username] : [],
      replyRef: String(message.message_id),
      raw: message,
    },
  };
}

/** In a forum, a message that is not an explicit reply "replies" to its topic's first message. */
function isTopicRoot(message: Message): boolean {
  return message.is_topic_message === true && message.reply_to_message?.message_id === message.message_thread_id;
}

function entityText(text: string, entity: MessageEntity): string {
  // Offsets are in UTF-16 code units, like JavaScript strings.
  return text.slice(entity.offset, entity.offset + entity.length);
}

function addressedToBot(text: string, entities: MessageEntity[], bot: BotIdentity): boolean {
  const name = `@${bot.username}`.toLowerCase();
  return entities.some((entity) => {
    if (entity.type === "mention") return entityText(text, entity).toLowerCase() === name;
    if (entity.type === "text_mention") return entity.user.id === bot.id;
    if (entity.type === "bot_command") return entityText(text, entity).toLowerCase().endsWith(name);
    return false;
  });
}

/** The text without the @mentions of the bot (a command keeps its name: `/ask@bot x` → `/ask x`). */
function withoutBotMention(text: string, entities: MessageEntity[], bot: BotIdentity): string {
  const name = `@${bot.username}`.toLowerCase();
  let result = text;
  // From the end, so earlier offsets stay valid.
  for (const entity of [...entities].sort((a, b) => b.offset - a.offset)) {
    const value = entityText(text, entity);
    const start = entity.offset;
    const end = entity.offset + entity.length;
    if (entity.type === "mention" && value.toLowerCase() === name) result = result.slice(0, start) + result.slice(end);
    else if (entity.type === "bot_command" && value.toLowerCase().endsWith(name)) result = result.slice(0, end - name.length) + result.slice(end);
  }
  return result.replace(/[ \t]{2,}/g, " ").trim();
}

function displayName(user: { first_name: string; last_name?: string; username?: string }): string {
  const full = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return full || user.username || "";
}

/** Files as metadata; fetching them needs the bot token in the URL, which the gateway never hands out. */
function attachmentsOf(message: Message): Attachment[] {
  const files: Attachment[] = [];
  const photo = message.photo?.at(-1);
  if (photo) files.push({ name: `photo-${photo.file_unique_id}.jpg`, mimeType: "image/jpeg", ...(photo.file_size !== undefined ? { size: photo.file_size } : {}) });
  for (const [kind, file] of [
    ["document", message.document],
    ["audio", message.audio],
    ["video", message.video],
    ["voice", message.voice],
  ] as const) {
    if (!file) continue;
    const name = ("file_name" in file ? file.file_name : undefined) ?? `${kind}-${file.file_unique_id}`;
    files.push({ name, ...(file.mime_type !== undefined ? { mimeType: file.mime_type } : {}), ...(file.file_size !== undefined ? { size: file.file_size } : {}) });
  }
  return files;
}
