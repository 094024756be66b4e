/**
 * Which Discord channels are threads. A gateway message names only its channel id; a thread is a
 * channel of its own (types 10–12) with a parent, and each thread is its own session. Looked up
 * with `GET /channels/{id}` once per channel and remembered (a channel never changes type).
 */
import type { REST } from "@discordjs/rest";
import { Routes } from "discord-api-types/v10";
import type { Logger } from "../../core/log.ts";
import { THREAD_CHANNEL_TYPES } from "./inbound.ts";

export interface ChannelPlace {
  /** The conversation: the channel, or the thread's parent channel. */
  conversation: string;
  /** Set when the message is in a thread. */
  thread?: string;
}

export class DiscordChannelDirectory {
  private readonly rest: REST;
  private readonly log: () => Logger;
  private readonly known = new Map<string, ChannelPlace>();
  private readonly max: number;

  constructor(rest: REST, log: () => Logger, max = 5_000) {
    this.rest = rest;
    this.log = log;
    this.max = max;
  }

  /** Remember what an interaction already told us about its channel. */
  remember(channelId: string, type: number, parentId: string | undefined): ChannelPlace {
    const place = placeOf(channelId, type, parentId);
    this.known.set(channelId, place);
    while (this.known.size > this.max) this.known.delete(this.known.keys().next().value!);
    return place;
  }

  async place(channelId: string): Promise<ChannelPlace> {
    const cached = this.known.get(channelId);
    if (cached) return cached;
    try {
      const channel = (await this.rest.get(Routes.channel(channelId))) as { type: number; parent_id?: string | null };
      return this.remember(channelId, channel.type, channel.parent_id ?? undefined);
    } catch (error) {
      // Answering in the channel beats not answering; the session is then the channel's.
      this.log().warn("Discord channel lookup failed; treating it as a plain channel", { channelId, error: error instanceof Error ? error.message : String(error) });
      return { conversation: channelId };
    }
  }
}

export function placeOf(channelId: string, type: number, parentId: string | undefined): ChannelPlace {
  if (THREAD_CHANNEL_TYPES.has(type) && parentId) return { conversation: parentId, thread: channelId };
  return { conversation: channelId };
}
