/**
 * The emulated workspace's state: its people, its conversations, every message in them, and a log
 * of what the bot posted and edited. The Web API reads and writes it; tests read it to see what a
 * Slack user would see.
 */
import { channelTypeOf, MessageClock, type EmulatedChannel, type EmulatedUser, type WorkspaceIds } from "./payloads.ts";

export interface PostRecord {
  method: "chat.postMessage" | "chat.update";
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  /** Block Kit blocks, when the call sent any. */
  blocks?: unknown;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  user: string;
  /** Set on the bot's own messages. */
  botId?: string;
  edits: number;
  blocks?: unknown;
}

export interface StatusCall {
  channel_id: string;
  thread_ts: string;
  status: string;
  loading_messages?: unknown;
  at: number;
}

export class Workspace {
  readonly ids: WorkspaceIds;
  readonly clock = new MessageClock();
  readonly users = new Map<string, EmulatedUser>();
  readonly channels = new Map<string, EmulatedChannel>();
  readonly posts: PostRecord[] = [];
  readonly statusCalls: StatusCall[] = [];
  private readonly history = new Map<string, Map<string, StoredMessage>>();

  constructor(ids: WorkspaceIds) {
    this.ids = ids;
    this.users.set(ids.botUserId, { id: ids.botUserId, name: "switchboard", realName: "Switchboard", displayName: "Switchboard", isBot: true });
  }

  addUser(user: { id: string; name: string; realName?: string; displayName?: string; email?: string; isBot?: boolean }): void {
    this.users.set(user.id, {
      id: user.id,
      name: user.name,
      realName: user.realName ?? user.name,
      displayName: user.displayName ?? user.name,
      email: user.email,
      isBot: user.isBot ?? false,
    });
  }

  /** Anyone who writes in the workspace exists in it; people the test never described get a bare profile (no email). */
  knowUser(id: string): EmulatedUser {
    let user = this.users.get(id);
    if (!user) {
      user = { id, name: id.toLowerCase(), realName: "", displayName: "", isBot: false };
      this.users.set(id, user);
    }
    return user;
  }

  addChannel(channel: { id: string; name?: string; kind?: "channel" | "group" | "im"; user?: string; archived?: boolean }): EmulatedChannel {
    const created: EmulatedChannel = {
      id: channel.id,
      name: channel.name ?? channel.id.toLowerCase(),
      kind: channel.kind ?? channelTypeOf(channel.id),
      user: channel.user,
      created: Math.floor(Date.now() / 1000),
      ...(channel.archived ? { archived: true } : {}),
    };
    this.channels.set(channel.id, created);
    return created;
  }

  /** A conversation comes into being when something happens in it; a DM's other side is its first writer. */
  knowChannel(id: string, writer?: string): EmulatedChannel {
    const existing = this.channels.get(id);
    if (existing) {
      if (existing.kind === "im" && !existing.user && writer && writer !== this.ids.botUserId) existing.user = writer;
      return existing;
    }
    return this.addChannel({ id, user: channelTypeOf(id) === "im" && writer !== this.ids.botUserId ? writer : undefined });
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.history.get(channel)?.get(ts);
  }

  store(message: StoredMessage): void {
    let byTs = this.history.get(message.channel);
    if (!byTs) {
      byTs = new Map();
      this.history.set(message.channel, byTs);
    }
    byTs.set(message.ts, message);
  }

  /** The bot's messages in a channel as they stand now, oldest first. */
  botMessages(channel: string): Array<{ ts: string; thread_ts?: string; text: string; edits: number }> {
    return [...(this.history.get(channel)?.values() ?? [])]
      .filter((m) => m.botId === this.ids.botId)
      .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)) // same-length "seconds.seq" strings sort as numbers
      .map((m) => ({ ts: m.ts, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}), text: m.text, edits: m.edits }));
  }
}
