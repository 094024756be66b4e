/**
 * The Web API subset the Slack channel uses, at `/api/<method>`: form or JSON bodies, the token in
 * `Authorization: Bearer` (or a `token` field), and Slack's answer shapes — `{ok:true,…}`, or
 * `{ok:false,error}` with HTTP 200, or HTTP 429 + Retry-After when a tier limit is hit.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { botMessageObject, conversationObject, userObject } from "./payloads.ts";
import type { FailureQueue, RateLimiter } from "./rate-limits.ts";
import type { StoredMessage, Workspace } from "./workspace.ts";
import { fail, requireArgs, SlackApiError, str, type Args, type MethodSpec } from "./api-errors.ts";
import { directoryMethods } from "./directory-api.ts";
import { readText } from "../read-body.ts";

/** Slack's cap on a message's text; longer text is refused with `msg_too_long`. */
export const MAX_TEXT_LENGTH = 40_000;

const BOT_SCOPES = "app_mentions:read,assistant:write,channels:history,channels:read,chat:write,commands,groups:history,groups:read,im:history,im:write,users:read,users:read.email";

export interface WebApiCall {
  method: string;
  /** The arguments as the method saw them, without the token. */
  args: Record<string, unknown>;
  at: number;
}

export interface WebApiDeps {
  workspace: Workspace;
  botToken: string;
  appToken: string;
  limiter: RateLimiter;
  failures: FailureQueue;
  calls: WebApiCall[];
  /** apps.connections.open: a fresh single-use Socket Mode URL. */
  openSocketUrl(): string;
  /** Called after the bot posted a message, so Slack-style echo events can follow. */
  onBotMessage(message: StoredMessage): void;
}

/** Block Kit arrives JSON-encoded in form bodies and as arrays in JSON bodies. */
function parsedJsonArg(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return fail("invalid_blocks_format");
  }
}

export function createWebApi(deps: WebApiDeps) {
  const { workspace } = deps;
  const ids = workspace.ids;

  function knownChannel(id: string | undefined) {
    const channel = id ? workspace.channels.get(id) : undefined;
    return channel ?? fail("channel_not_found");
  }

  function checkText(text: string | undefined, blocks: unknown, attachments: unknown): void {
    if (!text && blocks === undefined && attachments === undefined) fail("no_text");
    if (text && text.length > MAX_TEXT_LENGTH) fail("msg_too_long");
  }

  const methods: Record<string, MethodSpec> = {
    "auth.test": {
      token: "bot",
      handle: () => ({ url: "https://emulator.slack.com/", team: "Emulator Workspace", user: "switchboard", team_id: ids.teamId, user_id: ids.botUserId, bot_id: ids.botId, is_enterprise_install: false }),
    },

    "chat.postMessage": {
      token: "bot",
      handle(args) {
        const channel = knownChannel(str(args.channel));
        const text = str(args.text) ?? "";
        const blocks = args.blocks === undefined ? undefined : parsedJsonArg(args.blocks);
        checkText(text, blocks, args.attachments);
        const threadTs = str(args.thread_ts) || undefined;
        const ts = workspace.clock.next();
        const stored: StoredMessage = { channel: channel.id, ts, text, user: ids.botUserId, botId: ids.botId, edits: 0 };
        if (threadTs) stored.thread_ts = threadTs;
        if (blocks !== undefined) stored.blocks = blocks;
        workspace.store(stored);
        workspace.posts.push({ method: "chat.postMessage", channel: channel.id, ts, ...(threadTs ? { thread_ts: threadTs } : {}), text, ...(blocks !== undefined ? { blocks } : {}), at: Date.now() });
        deps.onBotMessage(stored);
        return { channel: channel.id, ts, message: botMessageObject(ids, { text, ts, threadTs, blocks }) };
      },
    },

    "chat.update": {
      token: "bot",
      handle(args) {
        const channel = knownChannel(str(args.channel));
        const ts = str(args.ts);
        const message = ts ? workspace.message(channel.id, ts) : undefined;
        if (!message) return fail("message_not_found");
        if (message.botId !== ids.botId) return fail("cant_update_message");
        const text = str(args.text) ?? "";
        const blocks = args.blocks === undefined ? undefined : parsedJsonArg(args.blocks);
        checkText(text, blocks, args.attachments);
        message.text = text;
        if (blocks !== undefined) message.blocks = blocks;
        message.edits += 1;
        workspace.posts.push({ method: "chat.update", channel: channel.id, ts: message.ts, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}), text, ...(blocks !== undefined ? { blocks } : {}), at: Date.now() });
        return { channel: channel.id, ts: message.ts, text, message: botMessageObject(ids, { text, ts: message.ts, threadTs: message.thread_ts, blocks: message.blocks, edited: true }) };
      },
    },

    "users.info": {
      token: "bot",
      handle(args) {
        requireArgs(args, "user");
        const user = workspace.users.get(str(args.user) ?? "");
        return user ? { user: userObject(ids, user) } : fail("user_not_found");
      },
    },

    "conversations.info": {
      token: "bot",
      handle: (args) => ({ channel: conversationObject(ids, knownChannel(str(args.channel))) }),
    },

    "assistant.threads.setStatus": {
      token: "bot",
      handle(args) {
        requireArgs(args, "channel_id", "thread_ts");
        if (typeof args.status !== "string") requireArgs(args, "status");
        knownChannel(str(args.channel_id));
        workspace.statusCalls.push({
          channel_id: str(args.channel_id)!,
          thread_ts: str(args.thread_ts)!,
          status: str(args.status) ?? "",
          ...(args.loading_messages !== undefined ? { loading_messages: parsedJsonArg(args.loading_messages) } : {}),
          at: Date.now(),
        });
        return {};
      },
    },

    "apps.connections.open": {
      token: "app",
      handle: () => ({ url: deps.openSocketUrl() }),
    },

    // Finding people and rooms by name, and opening DMs: what sending first needs.
    ...directoryMethods(workspace),
  };

  return async function handleWebApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    let args: Args;
    try {
      args = await readArgs(req);
    } catch (error) {
      return send(res, 200, { ok: false, error: (error as Error).message });
    }
    const token = bearer(req) ?? str(args.token);
    delete args.token;
    deps.calls.push({ method, args, at: Date.now() });

    const injected = deps.failures.take(method);
    if (injected) {
      if ("retryAfter" in injected) return send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(injected.retryAfter) });
      return send(res, injected.status, { ok: false, error: injected.error });
    }

    const spec = methods[method];
    if (!spec) return send(res, 200, { ok: false, error: "unknown_method", req_method: method });
    if (!token) return send(res, 200, { ok: false, error: "not_authed" });
    const kind = token === deps.botToken ? "bot" : token === deps.appToken ? "app" : undefined;
    if (!kind) return send(res, 200, { ok: false, error: "invalid_auth" });
    if (kind !== spec.token) return send(res, 200, { ok: false, error: "not_allowed_token_type" });

    const rate = deps.limiter.check(method, str(args.channel) ?? str(args.channel_id));
    if (rate.limited) return send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(rate.retryAfter) });

    const scopes = { "x-oauth-scopes": kind === "bot" ? BOT_SCOPES : "connections:write" };
    try {
      return send(res, 200, { ok: true, ...spec.handle(args) }, scopes);
    } catch (error) {
      if (error instanceof SlackApiError) return send(res, 200, { ok: false, error: error.message, ...error.extra }, scopes);
      throw error;
    }
  };
}

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/** Query string and body arguments: url-encoded or JSON, as Slack accepts both. */
async function readArgs(req: IncomingMessage): Promise<Args> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const args: Args = Object.fromEntries(url.searchParams);
  const raw = await readText(req);
  if (!raw) return args;
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error("invalid_json");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("invalid_json");
    return { ...args, ...(parsed as Args) };
  }
  if (type.startsWith("application/x-www-form-urlencoded") || type === "") return { ...args, ...Object.fromEntries(new URLSearchParams(raw)) };
  throw new Error("invalid_form_data");
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}
