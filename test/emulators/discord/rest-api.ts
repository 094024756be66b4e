/**
 * The emulated Discord REST API (v10) subset the channel uses, at `/api/v10/…`: the gateway
 * URL, the bot and application, slash command registration, opening DMs, channels, messages
 * (2,000-character limit, nonces with `enforce_nonce`), typing, interaction webhooks
 * (`@original` and follow-ups) and interaction callbacks. Discord's error shapes (`{message, code}`) and per-route rate limits
 * (rate-limits.ts) apply; every call is logged for tests.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readText } from "../read-body.ts";
import type { RouteRateLimits } from "./rate-limits.ts";
import { EPHEMERAL_FLAG, LOADING_FLAG, wireMessage, type DiscordWorld, type EmuMessage, type EmuUser } from "./state.ts";

export const MAX_CONTENT_LENGTH = 2_000;

export interface RestCall {
  method: string;
  route: string;
  path: string;
  status: number;
  body: Record<string, unknown> | undefined;
  at: number;
}

export interface RestContext {
  world: DiscordWorld;
  limits: RouteRateLimits;
  botToken: string;
  bot: EmuUser;
  applicationId: string;
  gatewayUrl: () => string;
  calls: RestCall[];
  commands: Array<Record<string, unknown>>;
  /** Slash command answers that came by REST (interactions delivered over the gateway). */
  onCallback: (interactionId: string, body: Record<string, unknown>) => void;
}

type Handler = (ctx: RestContext, params: string[], body: Record<string, unknown>, query: URLSearchParams) => [number, unknown];

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  auth: boolean;
  handler: Handler;
}

const routes: Route[] = [];
function route(method: string, template: string, handler: Handler, auth = true): void {
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "([^/]+)")}$`);
  routes.push({ method, template, pattern, auth, handler });
}

const error = (status: number, code: number, message: string, extra: Record<string, unknown> = {}): [number, unknown] => [status, { message, code, ...extra }];

route("GET", "/gateway/bot", (ctx) => [200, { url: ctx.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } }]);
route("GET", "/users/@me", (ctx) => [200, ctx.bot]);
route("GET", "/applications/@me", (ctx) => [200, { id: ctx.applicationId, name: ctx.bot.username, bot: ctx.bot, flags: 0 }]);
route("POST", "/applications/{app}/commands", (ctx, [app], body) => {
  if (app !== ctx.applicationId) return error(403, 50001, "Missing Access");
  const existing = ctx.commands.findIndex((c) => c.name === body.name);
  const command = { id: existing >= 0 ? ctx.commands[existing]!.id : ctx.world.snowflake(), application_id: app, version: ctx.world.snowflake(), ...body };
  if (existing >= 0) ctx.commands[existing] = command;
  else ctx.commands.push(command);
  return [existing >= 0 ? 200 : 201, command];
});
route("POST", "/users/@me/channels", (ctx, _params, body) => {
  const recipient = body.recipient_id;
  if (typeof recipient !== "string" || !/^\d{15,20}$/.test(recipient)) {
    const code = recipient === undefined ? "BASE_TYPE_REQUIRED" : "NUMBER_TYPE_COERCE";
    const message = recipient === undefined ? "This field is required" : `Value "${String(recipient)}" is not snowflake.`;
    return error(400, 50035, "Invalid Form Body", { errors: { recipient_id: { _errors: [{ code, message }] } } });
  }
  const user = ctx.world.users.get(recipient);
  if (!user) return error(400, 50033, "Invalid Recipient(s)");
  if (user.bot) return error(400, 50007, "Cannot send messages to this user");
  // One DM per person: opening it again returns the same channel.
  const existing = [...ctx.world.channels.values()].find((c) => c.type === 1 && c.recipients?.some((r) => r.id === recipient));
  const dm = existing ?? ctx.world.addChannel({ id: ctx.world.snowflake(), type: 1, recipients: [user] });
  return [200, { ...dm, last_message_id: ctx.world.inChannel(dm.id).at(-1)?.id ?? null, flags: 0 }];
});
route("GET", "/channels/{channel}", (ctx, [id]) => {
  const channel = ctx.world.channels.get(id!);
  return channel ? [200, channel] : error(404, 10003, "Unknown Channel");
});
route("POST", "/channels/{channel}/messages", (ctx, [id], body) => {
  const channel = ctx.world.channels.get(id!);
  if (!channel) return error(404, 10003, "Unknown Channel");
  const invalid = invalidContent(body.content);
  if (invalid) return invalid;
  if (body.enforce_nonce === true && typeof body.nonce === "string") {
    const twin = ctx.world.inChannel(id!).find((m) => m.nonce === body.nonce && m.author.id === ctx.bot.id);
    if (twin) return [200, wireMessage(twin)];
  }
  const reference = body.message_reference as { message_id?: string } | undefined;
  const message = ctx.world.addMessage({
    channel_id: id!,
    ...(channel.guild_id !== undefined ? { guild_id: channel.guild_id } : {}),
    author: ctx.bot,
    content: String(body.content),
    ...(typeof body.nonce === "string" ? { nonce: body.nonce } : {}),
    ...(reference?.message_id ? { message_reference: { message_id: reference.message_id, channel_id: id! }, type: 19 } : {}),
  });
  return [200, wireMessage(message)];
});
route("PATCH", "/channels/{channel}/messages/{message}", (ctx, [channelId, messageId], body) => {
  const message = ctx.world.messages.get(messageId!);
  if (!message || message.channel_id !== channelId) return error(404, 10008, "Unknown Message");
  if (message.author.id !== ctx.bot.id) return error(403, 50005, "Cannot edit a message authored by another user");
  const invalid = invalidContent(body.content);
  return invalid ?? [200, wireMessage(ctx.world.edit(message, String(body.content)))];
});
route("POST", "/channels/{channel}/typing", (ctx, [id]) => (ctx.world.channels.has(id!) ? [204, undefined] : error(404, 10003, "Unknown Channel")));
route("POST", "/interactions/{interaction}/{token}/callback", (ctx, [id, token], body) => {
  const interaction = ctx.world.interactions.get(token!);
  if (!interaction || interaction.id !== id) return error(404, 10062, "Unknown interaction");
  if (interaction.answeredWith !== undefined) return error(400, 40060, "Interaction has already been acknowledged.");
  ctx.onCallback(id!, body);
  return [204, undefined];
}, false);
route("PATCH", "/webhooks/{app}/{token}/messages/{message}", (ctx, [app, token, messageId], body) => {
  const interaction = ctx.world.interactions.get(token!);
  if (app !== ctx.applicationId || !interaction) return error(401, 50027, "Invalid Webhook Token");
  const id = messageId === "@original" ? interaction.originalId : messageId;
  const message = id ? ctx.world.messages.get(id) : undefined;
  if (!message) return error(404, 10008, "Unknown Message");
  const invalid = invalidContent(body.content);
  return invalid ?? [200, wireMessage(ctx.world.edit(message, String(body.content)))];
}, false);
route("POST", "/webhooks/{app}/{token}", (ctx, [app, token], body, query) => {
  const interaction = ctx.world.interactions.get(token!);
  if (app !== ctx.applicationId || !interaction) return error(401, 50027, "Invalid Webhook Token");
  if (interaction.answeredWith === undefined) return error(404, 10015, "Unknown Webhook");
  const invalid = invalidContent(body.content);
  if (invalid) return invalid;
  const message = ctx.world.addMessage({ channel_id: interaction.channelId, author: ctx.bot, content: String(body.content), webhook_id: app! });
  interaction.followUps.push(message.id);
  return query.get("wait") === "true" ? [200, wireMessage(message)] : [204, undefined];
}, false);

/** The original response of an interaction answered with `type` (4: a message, 5: deferred "thinking…"). */
export function answerInteraction(world: DiscordWorld, bot: EmuUser, applicationId: string, token: string, response: Record<string, unknown>): EmuMessage | undefined {
  const interaction = world.interactions.get(token);
  const type = Number(response.type);
  if (!interaction || (type !== 4 && type !== 5)) return undefined;
  interaction.answeredWith = type;
  const data = (response.data ?? {}) as { content?: string; flags?: number };
  const message = world.addMessage({
    channel_id: interaction.channelId,
    author: bot,
    content: type === 4 ? String(data.content ?? "") : "",
    webhook_id: applicationId,
    flags: type === 5 ? LOADING_FLAG : (data.flags ?? 0) & EPHEMERAL_FLAG,
    type: 20,
  });
  interaction.originalId = message.id;
  return message;
}

function invalidContent(content: unknown): [number, unknown] | undefined {
  if (typeof content !== "string" || content.length === 0) return error(400, 50006, "Cannot send an empty message");
  if (content.length > MAX_CONTENT_LENGTH) {
    return error(400, 50035, "Invalid Form Body", { errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${MAX_CONTENT_LENGTH} or fewer in length.` }] } } });
  }
  return undefined;
}

export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const text = await readText(req);
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return reply(res, ...error(400, 50109, "The request body contains invalid JSON."));
  }
  const method = req.method ?? "GET";
  const match = routes.map((r) => ({ r, m: r.method === method ? r.pattern.exec(path) : null })).find((x) => x.m);
  const log = (status: number) => ctx.calls.push({ method, route: match ? `${method} ${match.r.template}` : `${method} ${path}`, path, status, body: text ? body : undefined, at: Date.now() });
  if (!match) {
    log(404);
    return reply(res, ...error(404, 0, "404: Not Found"));
  }
  const { r, m } = match;
  if (r.auth && req.headers.authorization !== `Bot ${ctx.botToken}`) {
    log(401);
    return reply(res, ...error(401, 0, "401: Unauthorized"));
  }
  const params = m!.slice(1).map(decodeURIComponent);
  const templateName = `${method} ${r.template}`;
  const rate = ctx.limits.check(templateName, r.template.startsWith("/webhooks") ? `${params[0]}/${params[1]}` : (params[0] ?? ""));
  if (rate.limited) {
    log(429);
    return reply(res, 429, rate.body, rate.headers);
  }
  const [status, payload] = r.handler(ctx, params, body, query);
  log(status);
  reply(res, status, payload, rate.headers);
}

function reply(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (payload === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(payload));
}
