/**
 * The emulator's chats and messages: private chats, groups, forum supergroups with topics, and
 * every message in them (users' and the bot's), numbered per chat as Telegram does. User
 * messages get the entities Telegram would compute (@mentions, /commands).
 */
import type { Message, MessageEntity, User } from "grammy/types";

export interface Chat {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
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

  chat(id: unknown): Chat | undefined {
    const n = typeof id === "number" ? id : typeof id === "string" && /^-?\d+$/.test(id) ? Number(id) : NaN;
    return this.chats.get(n);
  }

  privateChat(user: User): Chat {
    return this.chats.get(user.id) ?? this.add({ id: user.id, type: "private", isForum: false, user });
  }

  group(id: number, options: { title?: string; forum?: boolean; supergroup?: boolean } = {}): Chat {
    const existing = this.chats.get(id);
    if (existing) return existing;
    return this.add({ id, type: options.forum || options.supergroup ? "supergroup" : "group", title: options.title ?? `Group ${id}`, isForum: options.forum ?? false });
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

function chatShape(chat: Chat): Message["chat"] {
  if (chat.type === "private") return { id: chat.id, type: "private", first_name: chat.user?.first_name ?? "", ...(chat.user?.username ? { username: chat.user.username } : {}) };
  if (chat.type === "group") return { id: chat.id, type: "group", title: chat.title ?? "" };
  return { id: chat.id, type: "supergroup", title: chat.title ?? "", ...(chat.isForum ? { is_forum: true } : {}) };
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
