/**
 * Where a first message goes on Discord: a channel (or thread) by id, or a person by user id,
 * whose DM channel is opened with `POST /users/@me/channels` (a rate-limited route) once and then
 * remembered, since a person's DM with the bot keeps its id. A bare id is tried as a channel
 * first, then as a person, since both are snowflakes.
 */
import { DiscordAPIError, type REST } from "@discordjs/rest";
import { Routes } from "discord-api-types/v10";
import type { Address } from "../../core/channel.ts";
import { RequestError } from "../../core/errors.ts";
import { placeOf } from "./directory.ts";
import { deliveryError } from "./egress.ts";

export const DISCORD_TARGET_FORMS = "a channel or thread id (123…, or <#123…>), or a user id for a DM (<@123…> or user:123…)";

/** Channel types a bot cannot post in directly: categories, forums and media channels (posts there are threads). */
const NOT_POSTABLE: Record<number, string> = { 4: "a category", 15: "a forum (give one of its threads)", 16: "a media channel (give one of its threads)" };

const UNKNOWN_CHANNEL = 10003;
const MISSING_ACCESS = 50001;
const INVALID_RECIPIENT = 50033;
const CANNOT_MESSAGE_USER = 50007;

/** DM channels remembered; the oldest are forgotten first (and opened again when needed). */
const MAX_REMEMBERED_DMS = 5_000;

export class DiscordTargets {
  private readonly rest: REST;
  private readonly dms = new Map<string, string>();

  constructor(rest: REST) {
    this.rest = rest;
  }

  async resolve(to: string): Promise<Address> {
    const target = to.trim();
    const channel = /^(?:<#(\d{15,21})>|#(\d{15,21})|channel:(\d{15,21}))$/.exec(target);
    if (channel) {
      const id = (channel[1] ?? channel[2] ?? channel[3])!;
      return (await channelAddress(this.rest, id)) ?? unknown(`no Discord channel ${id} that the bot can see`);
    }
    const user = /^(?:<@!?(\d{15,21})>|@(\d{15,21})|user:(\d{15,21}))$/.exec(target);
    if (user) {
      const id = (user[1] ?? user[2] ?? user[3])!;
      return (await this.dmAddress(id)) ?? unknown(`no Discord user ${id} the bot can open a DM with`);
    }
    if (/^\d{15,21}$/.test(target)) {
      if (this.dms.has(target)) return (await this.dmAddress(target))!;
      return (await channelAddress(this.rest, target)) ?? (await this.dmAddress(target)) ?? unknown(`no Discord channel or user ${target} that the bot can see`);
    }
    throw new RequestError(400, target ? `"${target}" is not a Discord target; write ${DISCORD_TARGET_FORMS}` : `no Discord target given; write ${DISCORD_TARGET_FORMS}`);
  }

  /** The person's DM channel, opened (or found) for the bot; undefined if there is no such person. */
  private async dmAddress(user: string): Promise<Address | undefined> {
    const known = this.dms.get(user);
    if (known !== undefined) return { conversation: known, user };
    let dm: { id: string };
    try {
      dm = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: user } })) as { id: string };
    } catch (error) {
      const code = error instanceof DiscordAPIError ? Number(error.code) : undefined;
      if (code === INVALID_RECIPIENT) return undefined;
      if (code === CANNOT_MESSAGE_USER) throw new RequestError(422, `Discord does not let the bot message ${user} (a bot, or someone who does not share a server with it)`);
      throw deliveryError("opening the DM", error);
    }
    this.dms.set(user, dm.id);
    if (this.dms.size > MAX_REMEMBERED_DMS) this.dms.delete(this.dms.keys().next().value!);
    return { conversation: dm.id, user };
  }
}

/** The channel's address (a thread's is its parent's conversation and the thread); undefined if there is no such channel. */
async function channelAddress(rest: REST, id: string): Promise<Address | undefined> {
  let channel: { type: number; parent_id?: string | null; recipients?: Array<{ id: string }> };
  try {
    channel = (await rest.get(Routes.channel(id))) as typeof channel;
  } catch (error) {
    if (error instanceof DiscordAPIError && Number(error.code) === UNKNOWN_CHANNEL) return undefined;
    if (error instanceof DiscordAPIError && Number(error.code) === MISSING_ACCESS) throw new RequestError(422, `the bot has no access to the Discord channel ${id} (check its role and the channel's permissions)`);
    throw deliveryError("looking up the channel", error);
  }
  const refusal = NOT_POSTABLE[channel.type];
  if (refusal) throw new RequestError(422, `the Discord channel ${id} is ${refusal}; messages cannot be posted in it directly`);
  const recipient = channel.type === 1 ? channel.recipients?.[0]?.id : undefined;
  if (recipient !== undefined) return { conversation: id, user: recipient };
  const place = placeOf(id, channel.type, channel.parent_id ?? undefined);
  return place.thread !== undefined ? { conversation: place.conversation, thread: place.thread } : { conversation: place.conversation };
}

function unknown(message: string): never {
  throw new RequestError(404, message);
}
