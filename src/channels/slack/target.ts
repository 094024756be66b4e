/**
 * Where a first message goes on Slack: a channel by name (`#dev-updates`) or id, or a person by
 * `@name`, email or id, whose DM is opened with `conversations.open`. Channel and people lists
 * are read page by page and kept briefly, so a burst of sends costs one listing.
 */
import type { WebClient } from "@slack/web-api";
import { WebAPIPlatformError } from "@slack/web-api";
import type { Address } from "../../core/channel.ts";
import { RequestError } from "../../core/errors.ts";
import { deliveryError } from "./egress.ts";

export const SLACK_TARGET_FORMS =
  "#channel-name, a channel id (C…/G…), @user-name, a user's email, or a user id (U…/W…)";

/** How long a listing of channels or people is trusted. */
const LISTING_TTL_MS = 60_000;
/** A name not in a listing this old is looked up again (the channel may be new). */
const REFRESH_ON_MISS_AFTER_MS = 5_000;

interface ListedChannel {
  id: string;
  name: string;
}

interface ListedUser {
  id: string;
  name: string;
  displayName: string;
  realName: string;
  isBot: boolean;
  deleted: boolean;
}

export class SlackTargets {
  private readonly client: WebClient;
  private readonly now: () => number;
  private readonly channels: Listing<ListedChannel>;
  private readonly users: Listing<ListedUser>;

  constructor(client: WebClient, now: () => number = Date.now) {
    this.client = client;
    this.now = now;
    this.channels = new Listing(() => this.listChannels(), now);
    this.users = new Listing(() => this.listUsers(), now);
  }

  async resolve(to: string): Promise<Address> {
    const target = to.trim();
    if (!target) throw new RequestError(400, `no Slack target given; write ${SLACK_TARGET_FORMS}`);
    // Slack's own link forms, as pasted from a message: <#C123|name>, <@U123>, <mailto:a@b|a@b>.
    const link = /^<([#@])([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(target);
    if (link) return link[1] === "#" ? this.conversationById(link[2]!) : this.userById(link[2]!);
    const mailto = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(target);
    if (mailto) return this.userByEmail(mailto[1]!);
    if (/^[CGD][A-Z0-9]{6,}$/.test(target)) return this.conversationById(target);
    if (/^[UW][A-Z0-9]{6,}$/.test(target)) return this.userById(target);
    if (/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(target)) return this.userByEmail(target);
    if (target.startsWith("@")) return this.userByName(target.slice(1));
    const name = /^#?([\p{L}\p{N}_.-]{1,80})$/u.exec(target)?.[1];
    if (name) return this.channelByName(name.toLowerCase());
    throw new RequestError(400, `"${target}" is not a Slack target; write ${SLACK_TARGET_FORMS}`);
  }

  private async channelByName(name: string): Promise<Address> {
    const found = await this.channels.find((c) => c.name === name);
    if (!found) {
      throw new RequestError(404, `no Slack channel #${name} that the bot can see (a private channel must invite the bot first; an archived one cannot be posted to)`);
    }
    return { conversation: found.id };
  }

  private async conversationById(id: string): Promise<Address> {
    let channel: { is_im?: boolean; user?: string; is_archived?: boolean } | undefined;
    try {
      channel = (await this.client.conversations.info({ channel: id })).channel;
    } catch (error) {
      if (platformCode(error) === "channel_not_found") throw new RequestError(404, `no Slack conversation ${id}, or the bot cannot see it (invite it to a private channel first)`);
      throw deliveryError("conversations.info", error);
    }
    if (channel?.is_archived) throw new RequestError(422, `the Slack channel ${id} is archived; nothing can be posted there`);
    return channel?.is_im && channel.user ? { conversation: id, user: channel.user } : { conversation: id };
  }

  private async userByName(raw: string): Promise<Address> {
    const name = raw.trim().toLowerCase();
    if (!name) throw new RequestError(400, `"@" alone names nobody; write ${SLACK_TARGET_FORMS}`);
    // The handle is unique; display and real names are not, so those must match exactly one person.
    const people = (await this.users.all()).filter((u) => !u.deleted && !u.isBot);
    const byHandle = people.filter((u) => u.name === name);
    const byDisplay = byHandle.length ? byHandle : people.filter((u) => u.displayName === name);
    const matches = byDisplay.length ? byDisplay : people.filter((u) => u.realName === name);
    if (matches.length === 0) throw new RequestError(404, `no Slack user @${raw.trim()} in this workspace (try their email or user id)`);
    if (matches.length > 1) {
      throw new RequestError(422, `@${raw.trim()} could be any of ${matches.map((u) => u.id).join(", ")}; give the user id or email instead`);
    }
    return this.openDm(matches[0]!.id);
  }

  private async userByEmail(email: string): Promise<Address> {
    let id: string | undefined;
    try {
      id = (await this.client.users.lookupByEmail({ email })).user?.id;
    } catch (error) {
      if (platformCode(error) === "users_not_found") throw new RequestError(404, `no Slack user with the email ${email} in this workspace`);
      throw deliveryError("users.lookupByEmail", error);
    }
    if (!id) throw new RequestError(404, `no Slack user with the email ${email} in this workspace`);
    return this.openDm(id);
  }

  private userById(id: string): Promise<Address> {
    return this.openDm(id);
  }

  /** The DM with a person; a reply there arrives in the same conversation, from that person. */
  private async openDm(user: string): Promise<Address> {
    let channel: string | undefined;
    try {
      channel = (await this.client.conversations.open({ users: user })).channel?.id;
    } catch (error) {
      const code = platformCode(error);
      if (code === "user_not_found") throw new RequestError(404, `no Slack user ${user} in this workspace`);
      if (code === "cannot_dm_bot") throw new RequestError(422, `${user} is a bot; Slack does not let one bot DM another`);
      if (code === "user_disabled") throw new RequestError(422, `the Slack user ${user} is deactivated`);
      if (code === "user_not_visible") throw new RequestError(404, `the Slack user ${user} is not visible to the bot`);
      throw deliveryError("conversations.open", error);
    }
    if (!channel) throw deliveryError("conversations.open", new Error("Slack returned no DM channel"));
    return { conversation: channel, user };
  }

  private async listChannels(): Promise<ListedChannel[]> {
    const found: ListedChannel[] = [];
    try {
      for await (const page of this.client.paginate("conversations.list", { types: "public_channel,private_channel", exclude_archived: true, limit: 200 })) {
        for (const c of (page as { channels?: Array<{ id?: string; name?: string }> }).channels ?? []) {
          if (c.id && c.name) found.push({ id: c.id, name: c.name.toLowerCase() });
        }
      }
    } catch (error) {
      throw deliveryError("conversations.list", error);
    }
    return found;
  }

  private async listUsers(): Promise<ListedUser[]> {
    const found: ListedUser[] = [];
    try {
      for await (const page of this.client.paginate("users.list", { limit: 200 })) {
        for (const u of (page as { members?: SlackMember[] }).members ?? []) {
          if (!u.id) continue;
          found.push({
            id: u.id,
            name: (u.name ?? "").toLowerCase(),
            displayName: (u.profile?.display_name ?? "").toLowerCase(),
            realName: (u.profile?.real_name ?? u.real_name ?? "").toLowerCase(),
            isBot: u.is_bot === true || u.id === "USLACKBOT",
            deleted: u.deleted === true,
          });
        }
      }
    } catch (error) {
      throw deliveryError("users.list", error);
    }
    return found;
  }
}

interface SlackMember {
  id?: string;
  name?: string;
  real_name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  profile?: { display_name?: string; real_name?: string };
}

function platformCode(error: unknown): string | undefined {
  return error instanceof WebAPIPlatformError ? error.data.error : undefined;
}

/**
 * A whole listing, fetched at most once at a time and kept for a minute. A lookup that misses
 * in a listing more than a few seconds old fetches it again once, for what was created since.
 */
class Listing<T> {
  private readonly fetch: () => Promise<T[]>;
  private readonly now: () => number;
  private cached: { items: T[]; at: number } | undefined;
  private inFlight: Promise<T[]> | undefined;

  constructor(fetch: () => Promise<T[]>, now: () => number) {
    this.fetch = fetch;
    this.now = now;
  }

  async all(): Promise<T[]> {
    if (this.cached && this.now() - this.cached.at < LISTING_TTL_MS) return this.cached.items;
    return this.refresh();
  }

  async find(match: (item: T) => boolean): Promise<T | undefined> {
    const found = (await this.all()).find(match);
    if (found || !this.cached || this.now() - this.cached.at < REFRESH_ON_MISS_AFTER_MS) return found;
    return (await this.refresh()).find(match);
  }

  private refresh(): Promise<T[]> {
    this.inFlight ??= this.fetch()
      .then((items) => {
        this.cached = { items, at: this.now() };
        return items;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
