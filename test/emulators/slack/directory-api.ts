/**
 * The Web API methods that find people and rooms and open DMs: `conversations.list` and
 * `users.list` with Slack's cursor pagination (`response_metadata.next_cursor`, empty on the last
 * page), `users.lookupByEmail`, and `conversations.open` for a 1:1 DM.
 */
import { randomBytes } from "node:crypto";
import { fail, requireArgs, str, type Args, type MethodSpec, type Result } from "./api-errors.ts";
import { conversationObject, userObject, type EmulatedChannel } from "./payloads.ts";
import type { Workspace } from "./workspace.ts";

/** Slack's cap on `limit` for conversations.list. */
const MAX_LIMIT = 1_000;

/** The conversation types conversations.list knows, by the emulator's kinds. */
const typeOfKind: Record<EmulatedChannel["kind"], string> = { channel: "public_channel", group: "private_channel", im: "im" };

export function directoryMethods(workspace: Workspace): Record<string, MethodSpec> {
  const ids = workspace.ids;
  return {
    "conversations.list": {
      token: "bot",
      handle(args) {
        const types = new Set((str(args.types) ?? "public_channel").split(",").map((t) => t.trim()).filter(Boolean));
        for (const type of types) if (!["public_channel", "private_channel", "mpim", "im"].includes(type)) fail("invalid_types");
        const excludeArchived = args.exclude_archived === true || args.exclude_archived === "true" || args.exclude_archived === "1";
        const channels = [...workspace.channels.values()]
          .filter((c) => types.has(typeOfKind[c.kind]) && !(excludeArchived && c.archived))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const page = pageOf(channels, args, "channel", 100);
        return { channels: page.items.map((c) => conversationObject(ids, c)), response_metadata: { next_cursor: page.next } };
      },
    },

    "users.list": {
      token: "bot",
      handle(args) {
        const users = [...workspace.users.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        // Without a limit Slack tries to send everyone at once.
        const page = pageOf(users, args, "user", users.length || 1);
        return { members: page.items.map((u) => userObject(ids, u)), cache_ts: Math.floor(Date.now() / 1000), response_metadata: { next_cursor: page.next } };
      },
    },

    "users.lookupByEmail": {
      token: "bot",
      handle(args) {
        requireArgs(args, "email");
        const email = (str(args.email) ?? "").toLowerCase();
        const user = [...workspace.users.values()].find((u) => !u.isBot && u.email?.toLowerCase() === email);
        return user ? { user: userObject(ids, user) } : fail("users_not_found");
      },
    },

    "conversations.open": {
      token: "bot",
      handle(args) {
        const returnIm = args.return_im === true || args.return_im === "true" || args.return_im === "1";
        const answer = (channel: EmulatedChannel, extra: Result = {}): Result => ({ ...extra, channel: returnIm ? conversationObject(ids, channel) : { id: channel.id } });
        const channelId = str(args.channel);
        if (channelId) {
          const channel = workspace.channels.get(channelId);
          if (!channel) return fail("channel_not_found");
          if (channel.kind !== "im") return fail("method_not_supported_for_channel_type");
          return answer(channel, { no_op: true, already_open: true });
        }
        const users = (str(args.users) ?? "").split(",").map((u) => u.trim()).filter(Boolean);
        if (users.length === 0) return fail("users_list_not_supplied");
        if (users.length > 8) return fail("too_many_users");
        // Group DMs are not emulated: nothing in Switchboard opens one.
        if (users.length > 1) return fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] the emulator opens 1:1 DMs only"] } });
        const user = workspace.users.get(users[0]!);
        if (!user) return fail("user_not_found");
        if (user.isBot) return fail("cannot_dm_bot");
        const existing = [...workspace.channels.values()].find((c) => c.kind === "im" && c.user === user.id);
        if (existing) return answer(existing, { no_op: true, already_open: true });
        return answer(workspace.addChannel({ id: dmId(), kind: "im", user: user.id }));
      },
    },
  };
}

/**
 * One page of a cursor-paginated list. The cursor is opaque to callers (base64, like Slack's
 * `dXNlcjpVMDYxTkZUVDI=`); here it names the kind of list and the next item's position.
 */
function pageOf<T>(items: T[], args: Args, kind: string, defaultLimit: number): { items: T[]; next: string } {
  const limit = args.limit === undefined || args.limit === "" ? defaultLimit : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1 || (kind === "channel" && limit > MAX_LIMIT)) return fail("invalid_limit");
  let start = 0;
  const cursor = str(args.cursor);
  if (cursor) {
    const [cursorKind, position] = Buffer.from(cursor, "base64").toString("utf8").split(":");
    start = Number(position);
    if (cursorKind !== kind || !Number.isInteger(start) || start < 0 || start > items.length) return fail("invalid_cursor");
  }
  const end = Math.min(items.length, start + limit);
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(`${kind}:${end}`).toString("base64") : "" };
}

/** A new DM's id, like D07QCRPA4G1. */
function dmId(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return `D${Array.from(randomBytes(10), (b) => alphabet[b % alphabet.length]).join("")}`;
}
