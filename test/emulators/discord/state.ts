/**
 * The emulated Discord world: users, channels (server channels, threads, DMs), the messages in
 * them, and the interactions whose tokens can answer. Ids are snowflakes, as on Discord; a thread
 * started from a message gets that message's id, as on Discord.
 */

export interface EmuUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

export interface EmuChannel {
  id: string;
  /** 0 text, 1 DM, 11 public thread, 12 private thread. */
  type: number;
  guild_id?: string;
  parent_id?: string;
  name?: string;
  /** A DM's other side (Discord lists the person, not the bot). */
  recipients?: EmuUser[];
}

export interface EmuMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: EmuUser;
  content: string;
  type: number;
  timestamp: string;
  edited_timestamp: string | null;
  mentions: EmuUser[];
  attachments: unknown[];
  message_reference?: { message_id: string; channel_id: string };
  nonce?: string;
  webhook_id?: string;
  flags?: number;
  /** Every content the message had, first to last (edits). */
  history: string[];
}

export interface EmuInteraction {
  id: string;
  token: string;
  channelId: string;
  /** The interaction response type Discord got (4 message, 5 deferred), once answered. */
  answeredWith?: number;
  originalId?: string;
  followUps: string[];
}

export const LOADING_FLAG = 128;
export const EPHEMERAL_FLAG = 64;

export class DiscordWorld {
  readonly users = new Map<string, EmuUser>();
  readonly channels = new Map<string, EmuChannel>();
  readonly messages = new Map<string, EmuMessage>();
  readonly interactions = new Map<string, EmuInteraction>();
  private next = 1_300_000_000_000_000_000n;

  snowflake(): string {
    this.next += 4096n;
    return this.next.toString();
  }

  addUser(user: EmuUser): EmuUser {
    this.users.set(user.id, user);
    return user;
  }

  addChannel(channel: EmuChannel): EmuChannel {
    this.channels.set(channel.id, channel);
    return channel;
  }

  user(id: string): EmuUser {
    return this.users.get(id) ?? this.addUser({ id, username: `user${id.slice(-4)}` });
  }

  /** A channel named in a test exists from then on: a DM when no guild is given. */
  channel(id: string, fallback: Omit<EmuChannel, "id">): EmuChannel {
    return this.channels.get(id) ?? this.addChannel({ id, ...fallback });
  }

  addMessage(fields: Omit<EmuMessage, "id" | "timestamp" | "edited_timestamp" | "history" | "type" | "mentions" | "attachments"> & Partial<EmuMessage>): EmuMessage {
    const message: EmuMessage = {
      id: this.snowflake(),
      type: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      mentions: [],
      attachments: [],
      history: [fields.content],
      ...fields,
    };
    this.messages.set(message.id, message);
    return message;
  }

  edit(message: EmuMessage, content: string): EmuMessage {
    message.content = content;
    message.edited_timestamp = new Date().toISOString();
    message.flags = (message.flags ?? 0) & ~LOADING_FLAG;
    message.history.push(content);
    return message;
  }

  inChannel(channelId: string): EmuMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }
}

/** The wire form of a message (without the emulator's bookkeeping). */
export function wireMessage(message: EmuMessage): Record<string, unknown> {
  const { history: _history, ...wire } = message;
  return wire;
}
