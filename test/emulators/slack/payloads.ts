/**
 * Slack's wire shapes, built the way Slack builds them: message timestamps and ids, `message` and
 * `app_mention` events, the Events API `event_callback` body, slash command forms, Web API user
 * and conversation objects, and the Socket Mode frames (hello, disconnect, envelopes).
 */
import { randomBytes, randomUUID } from "node:crypto";

export interface WorkspaceIds {
  teamId: string;
  appId: string;
  botId: string;
  botUserId: string;
  verificationToken: string;
}

/** Message timestamps: "<unix seconds>.<6-digit sequence>", unique and increasing per emulator. */
export class MessageClock {
  private second = 0;
  private seq = 0;
  next(nowMs = Date.now()): string {
    const now = Math.floor(nowMs / 1000);
    if (now > this.second) this.second = now;
    this.seq += 1;
    if (this.seq > 999_999) {
      this.second += 1;
      this.seq = 1;
    }
    return `${this.second}.${String(this.seq).padStart(6, "0")}`;
  }
}

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

/** An Events API event id, like "Ev08MFMKH6". */
export const eventId = (): string => randomId("Ev", 9);
/** A file id, like "F0123ABCD". */
export const fileId = (): string => randomId("F", 9);
export const envelopeId = (): string => randomUUID();

/** A trigger id in Slack's shape: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c". */
export function triggerId(): string {
  const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");
  return `${digits(12)}.${digits(11)}.${randomBytes(16).toString("hex")}`;
}

/** The kind of conversation an id names, from its prefix: D… is a DM, G… a private channel. */
export function channelTypeOf(channel: string): "im" | "group" | "channel" {
  if (channel.startsWith("D")) return "im";
  if (channel.startsWith("G")) return "group";
  return "channel";
}

/** Rich text blocks for a plain message, with `<@U…>` mentions as user elements, as Slack sends them. */
export function richTextBlocks(text: string): unknown[] {
  const elements: unknown[] = [];
  let rest = text;
  for (let match = /<@([UWB][A-Z0-9]+)(?:\|[^>]*)?>/.exec(rest); match; match = /<@([UWB][A-Z0-9]+)(?:\|[^>]*)?>/.exec(rest)) {
    if (match.index > 0) elements.push({ type: "text", text: rest.slice(0, match.index) });
    elements.push({ type: "user", user_id: match[1] });
    rest = rest.slice(match.index + match[0].length);
  }
  if (rest) elements.push({ type: "text", text: rest });
  return [{ type: "rich_text", block_id: randomBytes(3).toString("base64url"), elements: [{ type: "rich_text_section", elements }] }];
}

export interface MessageEventOptions {
  user: string;
  channel: string;
  text: string;
  ts: string;
  threadTs?: string;
  parentUserId?: string;
  channelType?: "im" | "channel" | "group";
  files?: unknown[];
  botId?: string;
  subtype?: string;
}

/** A `message` event (message.im / message.channels / message.groups). */
export function messageEvent(ids: WorkspaceIds, o: MessageEventOptions): Record<string, unknown> {
  const event: Record<string, unknown> = { type: "message" };
  const subtype = o.subtype ?? (o.files?.length ? "file_share" : undefined);
  if (subtype) event.subtype = subtype;
  if (o.botId) {
    event.bot_id = o.botId;
    if (o.botId === ids.botId) event.app_id = ids.appId;
  } else {
    event.client_msg_id = randomUUID();
  }
  Object.assign(event, { text: o.text, user: o.user, ts: o.ts, team: ids.teamId, blocks: richTextBlocks(o.text) });
  if (o.files?.length) Object.assign(event, { files: o.files, upload: false, display_as_bot: false });
  if (o.threadTs) {
    event.thread_ts = o.threadTs;
    if (o.parentUserId) event.parent_user_id = o.parentUserId;
  }
  Object.assign(event, { channel: o.channel, event_ts: o.ts, channel_type: o.channelType ?? channelTypeOf(o.channel) });
  return event;
}

/** An `app_mention` event: someone wrote `<@BOT>` in a channel the app is in. */
export function appMentionEvent(ids: WorkspaceIds, o: { user: string; channel: string; text: string; ts: string; threadTs?: string }): Record<string, unknown> {
  const event: Record<string, unknown> = { client_msg_id: randomUUID(), type: "app_mention", text: o.text, user: o.user, ts: o.ts, team: ids.teamId, blocks: richTextBlocks(o.text) };
  if (o.threadTs) event.thread_ts = o.threadTs;
  Object.assign(event, { channel: o.channel, event_ts: o.ts });
  return event;
}

/** The Events API body Slack POSTs (and wraps in an `events_api` envelope in Socket Mode). */
export function eventCallback(ids: WorkspaceIds, event: Record<string, unknown>, id: string, nowMs = Date.now()): Record<string, unknown> {
  const channel = typeof event.channel === "string" ? event.channel : "";
  return {
    token: ids.verificationToken,
    team_id: ids.teamId,
    context_team_id: ids.teamId,
    context_enterprise_id: null,
    api_app_id: ids.appId,
    event,
    type: "event_callback",
    event_id: id,
    event_time: Math.floor(nowMs / 1000),
    authorizations: [{ enterprise_id: null, team_id: ids.teamId, user_id: ids.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: ids.teamId, aid: ids.appId, cid: channel })).toString("base64url")}`,
  };
}

export function urlVerification(ids: WorkspaceIds, challenge: string): Record<string, unknown> {
  return { token: ids.verificationToken, challenge, type: "url_verification" };
}

/** A slash command's fields, in the order Slack form-encodes them. */
export function slashCommandFields(
  ids: WorkspaceIds,
  o: { command: string; text: string; user: string; userName: string; channel: string; channelName: string; responseUrl: string },
): Record<string, string> {
  return {
    token: ids.verificationToken,
    team_id: ids.teamId,
    team_domain: "emulator",
    channel_id: o.channel,
    channel_name: o.channelName,
    user_id: o.user,
    user_name: o.userName,
    command: o.command,
    text: o.text,
    api_app_id: ids.appId,
    is_enterprise_install: "false",
    response_url: o.responseUrl,
    trigger_id: triggerId(),
  };
}

// ---- Socket Mode frames -------------------------------------------------------------------

export function helloFrame(appId: string, numConnections: number): Record<string, unknown> {
  return {
    type: "hello",
    num_connections: numConnections,
    debug_info: { host: "applink-emulator", build_number: 1, approximate_connection_time: 18060 },
    connection_info: { app_id: appId },
  };
}

export type DisconnectReason = "refresh_requested" | "warning" | "link_disabled";

export function disconnectFrame(reason: DisconnectReason): Record<string, unknown> {
  return { type: "disconnect", reason, debug_info: { host: "applink-emulator" } };
}

export type EnvelopeType = "events_api" | "slash_commands" | "interactive";

export function envelope(type: EnvelopeType, id: string, payload: Record<string, unknown>, retry?: { attempt: number; reason: string }): Record<string, unknown> {
  const frame: Record<string, unknown> = { envelope_id: id, payload, type, accepts_response_payload: type !== "events_api" };
  if (type === "events_api") Object.assign(frame, { retry_attempt: retry?.attempt ?? 0, retry_reason: retry?.reason ?? "" });
  return frame;
}

// ---- Web API objects ----------------------------------------------------------------------

export interface EmulatedUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  email?: string;
  isBot: boolean;
}

export interface EmulatedChannel {
  id: string;
  name: string;
  kind: "channel" | "group" | "im";
  /** For a DM: the person on the other side. */
  user?: string;
  created: number;
  archived?: boolean;
}

/** A `users.info` user object. Bots have no email; people have one only when the workspace knows it. */
export function userObject(ids: WorkspaceIds, u: EmulatedUser): Record<string, unknown> {
  const images = Object.fromEntries([24, 32, 48, 72, 192, 512].map((px) => [`image_${px}`, `https://avatars.emulator.invalid/${u.id}_${px}.png`]));
  const profile: Record<string, unknown> = {
    title: "",
    phone: "",
    skype: "",
    real_name: u.realName,
    real_name_normalized: u.realName,
    display_name: u.displayName,
    display_name_normalized: u.displayName,
    fields: null,
    status_text: "",
    status_emoji: "",
    status_expiration: 0,
    avatar_hash: "g000emulator",
    first_name: u.realName.split(" ")[0] ?? "",
    last_name: u.realName.split(" ").slice(1).join(" "),
    ...images,
    team: ids.teamId,
  };
  if (u.email && !u.isBot) profile.email = u.email;
  if (u.isBot && u.id === ids.botUserId) Object.assign(profile, { bot_id: ids.botId, api_app_id: ids.appId, always_active: true });
  return {
    id: u.id,
    team_id: ids.teamId,
    name: u.name,
    deleted: false,
    color: "9f69e7",
    real_name: u.realName,
    tz: "Europe/London",
    tz_label: "Greenwich Mean Time",
    tz_offset: 0,
    profile,
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: 1700000000,
    is_email_confirmed: Boolean(u.email),
    who_can_share_contact_card: "EVERYONE",
  };
}

/** A `conversations.info` channel object. */
export function conversationObject(ids: WorkspaceIds, c: EmulatedChannel): Record<string, unknown> {
  if (c.kind === "im") {
    return { id: c.id, created: c.created, is_archived: c.archived ?? false, is_im: true, is_org_shared: false, context_team_id: ids.teamId, updated: c.created * 1000, user: c.user ?? "", is_user_deleted: false, priority: 0 };
  }
  return {
    id: c.id,
    name: c.name,
    is_channel: c.kind === "channel",
    is_group: c.kind === "group",
    is_im: false,
    is_mpim: false,
    is_private: c.kind === "group",
    created: c.created,
    is_archived: c.archived ?? false,
    is_general: c.name === "general",
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: ids.teamId,
    updated: c.created * 1000,
    parent_conversation: null,
    creator: ids.botUserId,
    is_ext_shared: false,
    shared_team_ids: [ids.teamId],
    pending_connected_team_ids: [],
    is_member: true,
    topic: { value: "", creator: "", last_set: 0 },
    purpose: { value: "", creator: "", last_set: 0 },
    previous_names: [],
  };
}

/** The `message` object Slack returns from chat.postMessage / chat.update for the bot's message. */
export function botMessageObject(ids: WorkspaceIds, m: { text: string; ts: string; threadTs?: string; blocks?: unknown; edited?: boolean }): Record<string, unknown> {
  const message: Record<string, unknown> = {
    user: ids.botUserId,
    type: "message",
    ts: m.ts,
    bot_id: ids.botId,
    app_id: ids.appId,
    text: m.text,
    team: ids.teamId,
    bot_profile: { id: ids.botId, app_id: ids.appId, name: "switchboard", icons: {}, deleted: false, updated: 1700000000, team_id: ids.teamId },
  };
  if (m.blocks !== undefined) message.blocks = m.blocks;
  if (m.threadTs) message.thread_ts = m.threadTs;
  if (m.edited) message.edited = { user: ids.botUserId, ts: String(Math.floor(Date.now() / 1000)) + ".000000" };
  return message;
}
