/**
 * The emulator's chats and messages: private chats, groups, forum supergroups with topics, and
 * every message in them (users' and the bot's), numbered per chat as Telegram does. User
 * messages get the entities Telegram would compute (@mentions, /commands).
 */
import type { Message, MessageEntity, User } from "grammy/types";

export interface Chat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  /** A public group's or channel's @username (without the @). */
  username?: string;
  isForum: boolean;
  /** Forum topics: thread id → name. */
  topics: Map<number, string>;
  /** A group upgraded to a supergroup answers sends with migrate_to_chat_id. */
  migratedTo?: number;
  user?: User;
  nextMessageId: number;
  messages: Map<number, Message>;
}

export interface SentRecord {
  chatId: number;
  messageId: number;
  /** The text as the user sees it (entities parsed out). */
  text: string;
  /** What the bot sent, markup included. */
  source: string;
  parseMode: string | undefined;
  threadId: number | undefined;
  replyTo: number | undefined;
  /** Earlier versions of the text, oldest first. */
  edits: string[];
  message: Message;
}

export interface ChatAction {
  chatId: number;
  action: string;
  threadId?: number;
}

export class Conversations {
  private readonly chats = new Map<number, Chat>();
  readonly sent: SentRecord[] = [];
  readonly actions: ChatAction[] = [];

  /** By id, or by `@username` as Telegram takes it for public groups and channels. */
  chat(id: unknown): Chat | undefined {
    if (typeof id === "string" && id.startsWith("@")) {
      const name = id.slice(1).toLowerCase();
      return [...this.chats.values()].find((c) => c.type !== "private" && c.username?.toLowerCase() === name);
    }
    const n = typeof id === "number" ? id : typeof id === "string" && /^-?\d+$/.test(id) ? Number(id) : NaN;
    return this.chats.get(n);
  }

  privateChat(user: User): Chat {
    return this.chats.get(user.id) ?? this.add({ id: user.id, type: "private", isForum: false, user });
  }

  group(id: number, options: { title?: string; forum?: boolean; supergroup?: boolean; username?: string } = {}): Chat {
    const existing = this.chats.get(id);
    if (existing) return existing;
    // Only supergroups can be public (have a username).
    const supergroup = options.forum || options.supergroup || options.username !== undefined;
    return this.add({
      id,
      type: supergroup ? "supergroup" : "group",
      title: options.title ?? `Group ${id}`,
      isForum: options.forum ?? false,
      ...(options.username !== undefined ? { username: options.username } : {}),
    });
  }

  /** A channel the bot may post in (as an administrator). Channel ids are -100…, like supergroups'. */
  channel(id: number, options: { title?: string; username?: string } = {}): Chat {
    return this.chats.get(id) ?? this.add({ id, type: "channel", title: options.title ?? `Channel ${id}`, isForum: false, ...(options.username !== undefined ? { username: options.username } : {}) });
  }

  /** A forum topic: its thread id is the id of the service message that created it. */
  topic(chat: Chat, name: string, creator: User): number {
    for (const [id, topicName] of chat.topics) if (topicName === name) return id;
    const created = this.record(chat, { from: creator, forum_topic_created: { name, icon_color: 0x6fb9f0 } });
    chat.topics.set(created.message_id, name);
    return created.message_id;
  }

  message(chatId: number, messageId: number): Message | undefined {
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  record(chat: Chat, fields: Record<string, unknown>): Message {
    const message = {
      message_id: chat.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: chatShape(chat),
      ...fields,
    } as Message;
    chat.messages.set(message.message_id, message);
    return message;
  }

  private add(fields: Omit<Chat, "topics" | "nextMessageId" | "messages">): Chat {
    const chat: Chat = { ...fields, topics: new Map(), nextMessageId: 1, messages: new Map() };
    this.chats.set(chat.id, chat);
    return chat;
  }
}

export function chatShape(chat: Chat): Message["chat"] {
  if (chat.type === "private") return { id: chat.id, type: "private", first_name: chat.user?.first_name ?? "", ...(chat.user?.username ? { username: chat.user.username } : {}) };
  if (chat.type === "group") return { id: chat.id, type: "group", title: chat.title ?? "" };
  const username = chat.username !== undefined ? { username: chat.username } : {};
  if (chat.type === "channel") return { id: chat.id, type: "channel", title: chat.title ?? "", ...username };
  return { id: chat.id, type: "supergroup", title: chat.title ?? "", ...username, ...(chat.isForum ? { is_forum: true } : {}) };
}

/** getChat's ChatFullInfo: the chat's fields plus the ones getChat always adds. */
export function chatFullInfo(chat: Chat): Record<string, unknown> {
  const info: Record<string, unknown> = { ...chatShape(chat), accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false } };
  if (chat.type === "private" && chat.user?.last_name) info.last_name = chat.user.last_name;
  if (chat.isForum) info.is_forum = true;
  return info;
}

/** The entities Telegram finds in plain user text: @mentions and /commands. */
export function userEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const match of text.matchAll(/(^|[\s(])(@[A-Za-z][A-Za-z0-9_]{3,31})/g)) {
    entities.push({ type: "mention", offset: match.index + match[1]!.length, length: match[2]!.length });
  }
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z][A-Za-z0-9_]{3,31})?)/g)) {
    entities.push({ type: "bot_command", offset: match.index + match[1]!.length, length: match[2]!.length });
  }
  return entities.sort((a, b) => a.offset - b.offset);
}
