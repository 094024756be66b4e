/**
 * A local Telegram Bot API for tests and trying Switchboard without a bot. It serves the methods
 * the channel uses at `/bot<token>/<method>` (point grammY's `apiRoot` at `url`), with long
 * polling (offset confirmation, 409 for a concurrent poll), webhooks (secret token header,
 * redelivery until a 2xx), MarkdownV2/HTML validation, 429 injection, and a control API to make
 * users speak in private chats, groups and forum topics.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Message, Update, User } from "grammy/types";
import { readText } from "../read-body.ts";
import { callMethod, type InjectedFailure } from "./bot-api.ts";
import { Conversations, userEntities, type ChatAction, type SentRecord } from "./conversations.ts";
import { UpdateQueue, type ApiFailure, type WebhookAttempt } from "./updates.ts";

export { parseMarkdownV2, parseHtml, parseText } from "./markup.ts";
export { MAX_TEXT_LENGTH } from "./bot-api.ts";
export type { SentRecord, ChatAction } from "./conversations.ts";
export { CONFLICT_OTHER_POLL } from "./updates.ts";

export interface TelegramEmulatorOptions {
  port?: number;
  botId?: number;
  botUsername?: string;
  /** The secret half of the token. */
  tokenSecret?: string;
  /** Waits before webhook redeliveries after a non-2xx; default [100, 500, 2000] ms. */
  webhookRetryDelaysMs?: number[];
}

export interface SayOptions {
  text: string;
  /** Who speaks; Alice by default. */
  user?: User;
  /** A group or forum chat id (see addGroup); the user's private chat by default. */
  chatId?: number;
  /** In a forum: the topic's name, created on first use. */
  topic?: string;
  /** Reply to this message of the chat. */
  replyTo?: number;
}

export interface TelegramEmulator {
  /** The apiRoot: `${url}/bot<token>/<method>`. */
  url: string;
  token: string;
  bot: User;
  alice: User;
  bob: User;
  /** A user speaks; the update goes to the long poll or the webhook. */
  say(options: SayOptions): { update: Update; message: Message };
  /** A group; with a username it is a public supergroup, found by `@username`. */
  addGroup(id: number, options?: { title?: string; forum?: boolean; supergroup?: boolean; username?: string }): void;
  /** A channel the bot posts in as an administrator (`@username` finds a public one). */
  addChannel(id: number, options?: { title?: string; username?: string }): void;
  /** The group now lives on as a supergroup with this id (sends to the old id get migrate_to_chat_id). */
  migrateGroup(id: number, to: number): void;
  /** The bot's messages, oldest first; in one chat when given. */
  sent(chatId?: number): SentRecord[];
  actions: ChatAction[];
  /** Answer the next `count` calls of `method` ("*": any) with this failure. */
  failNext(method: string, failure: ApiFailure, count?: number): void;
  /** The next `count` calls of `method` get 429 "Too Many Requests: retry after N". */
  rateLimitNext(method: string, retryAfterSeconds: number, count?: number): void;
  calls: Array<{ method: string; params: Record<string, unknown> }>;
  /** getUpdates answered with 409 Conflict. */
  readonly conflicts: number;
  readonly polls: number;
  webhookAttempts: WebhookAttempt[];
  readonly webhook: { url: string; secretToken?: string } | undefined;
  /** Updates not yet confirmed (polling) or delivered (webhook). */
  pendingUpdates(): readonly Update[];
  /** POST an update to the webhook again; resolves with the HTTP status. */
  redeliver(update: Update): Promise<number>;
  close(): Promise<void>;
}

export async function startTelegramEmulator(options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const botId = options.botId ?? 7_000_000_001;
  const token = `${botId}:${options.tokenSecret ?? "AAE-emulator-secret-0123456789abcdefghij"}`;
  const bot: User = { id: botId, is_bot: true, first_name: "Switchboard", username: options.botUsername ?? "switchboard_test_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false } as User;
  const alice: User = { id: 1001, is_bot: false, first_name: "Alice", last_name: "Example", username: "alice" };
  const bob: User = { id: 1002, is_bot: false, first_name: "Bob", username: "bob" };
  const conversations = new Conversations();
  const updates = new UpdateQueue({ ...(options.webhookRetryDelaysMs ? { webhookRetryDelaysMs: options.webhookRetryDelaysMs } : {}) });
  const failures: InjectedFailure[] = [];
  const calls: TelegramEmulator["calls"] = [];

  const say = (o: SayOptions) => {
    const user = o.user ?? alice;
    const chat = o.chatId !== undefined ? conversations.chat(o.chatId) : conversations.privateChat(user);
    if (!chat) throw new Error(`no chat ${o.chatId}: addGroup first`);
    const thread = o.topic !== undefined ? conversations.topic(chat, o.topic, user) : undefined;
    const replyTo = o.replyTo !== undefined ? conversations.message(chat.id, o.replyTo) : thread !== undefined ? conversations.message(chat.id, thread) : undefined;
    const entities = userEntities(o.text);
    const message = conversations.record(chat, {
      from: user,
      text: o.text,
      ...(entities.length > 0 ? { entities } : {}),
      ...(thread !== undefined ? { message_thread_id: thread, is_topic_message: true } : {}),
      ...(replyTo ? { reply_to_message: replyTo } : {}),
    });
    return { update: updates.push({ message } as Omit<Update, "update_id">), message };
  };

  const server = createServer((req, res) => void handle(req, res));
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const gone = new Promise<void>((resolve) => res.on("close", () => resolve()));
    const body = await readText(req);
    if (url.pathname.startsWith("/control/")) return control(url.pathname, body, res);
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!route) return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    if (route[1] !== token) return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const params = { ...Object.fromEntries(url.searchParams), ...parseBody(req.headers["content-type"] ?? "", body) };
    const result = await callMethod({ bot, conversations, updates, failures, calls }, route[2]!, params, gone);
    if (res.destroyed) return;
    reply(res, result.ok ? 200 : result.error_code, result);
  }

  function control(path: string, body: string, res: ServerResponse): void {
    try {
      if (path === "/control/say") {
        const input = JSON.parse(body || "{}") as { text: string; user?: string; chatId?: number; topic?: string; replyTo?: number };
        const { update, message } = say({ ...input, user: input.user === "bob" ? bob : alice });
        return reply(res, 200, { update_id: update.update_id, chat_id: message.chat.id, message_id: message.message_id });
      }
      if (path === "/control/sent") return reply(res, 200, conversations.sent.map(({ message: _m, ...rest }) => rest));
      reply(res, 404, { error: `unknown control path ${path}: /control/say, /control/sent` });
    } catch (error) {
      reply(res, 400, { error: (error as Error).message });
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    bot,
    alice,
    bob,
    say,
    addGroup: (id, groupOptions) => void conversations.group(id, groupOptions),
    addChannel: (id, channelOptions) => void conversations.channel(id, channelOptions),
    migrateGroup: (id, to) => {
      const old = conversations.chat(id);
      if (!old) throw new Error(`no chat ${id}`);
      old.migratedTo = to;
      conversations.group(to, { title: old.title ?? "", supergroup: true });
    },
    sent: (chatId) => conversations.sent.filter((s) => chatId === undefined || s.chatId === chatId),
    actions: conversations.actions,
    failNext: (method, failure, count = 1) => {
      for (let i = 0; i < count; i++) failures.push({ method, failure });
    },
    rateLimitNext: (method, retryAfterSeconds, count = 1) => {
      for (let i = 0; i < count; i++) failures.push({ method, failure: { error_code: 429, description: `Too Many Requests: retry after ${retryAfterSeconds}`, parameters: { retry_after: retryAfterSeconds } } });
    },
    calls,
    get conflicts() {
      return updates.conflicts;
    },
    get polls() {
      return updates.polls;
    },
    webhookAttempts: updates.attempts,
    get webhook() {
      return updates.webhook;
    },
    pendingUpdates: () => updates.unconfirmed,
    redeliver: (update) => updates.redeliver(update),
    async close() {
      updates.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** JSON (what grammY sends), form-encoded or multipart-free query params; nested values are JSON strings. */
function parseBody(contentType: string, body: string): Record<string, unknown> {
  if (!body) return {};
  if (contentType.includes("application/json")) return JSON.parse(body) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    params[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return params;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
