/**
 * The emulator's own HTTP routes, for people trying Switchboard without a workspace (and for
 * scripts): say something as a user, run a slash command, see what the bot posted, make sockets
 * deaf. Also the slash commands' `response_url` endpoint, which records what the app sends.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SlackEmulator } from "./index.ts";
import { send } from "./web-api.ts";
import { readText } from "../read-body.ts";

export interface CommandResponse {
  /** The response_url path the app POSTed to. */
  path: string;
  body: unknown;
  at: number;
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, emulator: SlackEmulator, commandResponses: CommandResponse[]): Promise<void> {
  const method = req.method ?? "GET";
  if (method === "POST" && path.startsWith("/commands/")) {
    const raw = await readText(req);
    commandResponses.push({ path, body: parseLoose(raw), at: Date.now() });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  if (method === "GET" && path === "/") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(usage(emulator));
    return;
  }
  if (!path.startsWith("/_emulator/")) return send(res, 404, { ok: false, error: "not_found" });

  const body = method === "POST" ? asObject(parseLoose(await readText(req))) : {};
  const query = new URL(req.url ?? "/", "http://emulator.invalid").searchParams;
  const route = `${method} ${path.slice("/_emulator".length)}`;
  switch (route) {
    case "POST /message": {
      const user = stringField(body, "user");
      const channel = stringField(body, "channel");
      const text = stringField(body, "text");
      if (!user || !channel || text === undefined) return send(res, 400, { ok: false, error: "send {user, channel, text} (and optionally threadTs)" });
      if (emulator.socketConnections === 0 && emulator.connectionsOpened === 0 && !emulator.eventsUrl) {
        return send(res, 409, { ok: false, error: "nowhere to deliver: start the gateway's Slack channel in Socket Mode, or run the emulator with --events-url" });
      }
      const threadTs = stringField(body, "threadTs");
      // A typical app subscribes to message.im and app_mention: a mention in a channel arrives as app_mention.
      const mention = !channel.startsWith("D") && text.includes(`<@${emulator.botUserId}>`);
      const event = mention ? emulator.appMention({ user, channel, text, threadTs }) : emulator.message({ user, channel, text, threadTs });
      const delivery = emulator.deliverEvent(event);
      delivery.catch(() => undefined);
      return send(res, 202, { ok: true, event_type: event.type, ts: event.ts, channel });
    }
    case "POST /slash": {
      const command = stringField(body, "command");
      const user = stringField(body, "user");
      const channel = stringField(body, "channel");
      if (!command || !user || !channel) return send(res, 400, { ok: false, error: "send {command, text, user, channel}" });
      return send(res, 200, { ok: true, ...(await emulator.slashCommand({ command, text: stringField(body, "text") ?? "", user, channel })) });
    }
    case "POST /users": {
      const id = stringField(body, "id");
      const name = stringField(body, "name");
      if (!id || !name) return send(res, 400, { ok: false, error: "send {id, name, realName?, email?}" });
      emulator.addUser({ id, name, realName: stringField(body, "realName"), email: stringField(body, "email") });
      return send(res, 200, { ok: true });
    }
    case "POST /silence":
      emulator.silenceSockets(body.silent !== false);
      return send(res, 200, { ok: true, silent: body.silent !== false });
    case "POST /disconnect":
      emulator.disconnectSockets();
      return send(res, 200, { ok: true });
    case "GET /posts":
      return send(res, 200, { ok: true, posts: emulator.posts });
    case "GET /messages":
      return send(res, 200, { ok: true, messages: emulator.messages(query.get("channel") ?? "") });
    case "GET /deliveries":
      return send(res, 200, { ok: true, deliveries: emulator.deliveries.map(({ eventId, transport, acked, attempts }) => ({ eventId, transport, acked, attempts })) });
    default:
      return send(res, 404, { ok: false, error: `no route ${route}; see GET /` });
  }
}

function parseLoose(raw: string): unknown {
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    const form = new URLSearchParams(raw);
    const payload = form.get("payload");
    if (payload) return parseLoose(payload);
    return Object.fromEntries(form);
  }
}

const asObject = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const stringField = (body: Record<string, unknown>, name: string): string | undefined => (typeof body[name] === "string" ? (body[name] as string) : undefined);

export function usage(e: SlackEmulator): string {
  return `Slack emulator
  Web API          ${e.url}/api/   (WebClient slackApiUrl)
  bot token        ${e.botToken}
  app token        ${e.appToken}   (Socket Mode)
  signing secret   ${e.signingSecret}
  team / bot user  ${e.teamId} / ${e.botUserId}
  events URL       ${e.eventsUrl ?? "(none: events go over Socket Mode)"}

Say something as a user (DM channels start with D; a channel mention of <@${e.botUserId}> arrives as app_mention):
  curl -s ${e.url}/_emulator/message -H 'content-type: application/json' \\
    -d '{"user":"U000ALICE","channel":"D000ALICE","text":"hello"}'
Run a slash command:
  curl -s ${e.url}/_emulator/slash -H 'content-type: application/json' \\
    -d '{"command":"/ask","text":"hello","user":"U000ALICE","channel":"C000GENERAL"}'
See what the bot said:      curl -s '${e.url}/_emulator/messages?channel=D000ALICE'
Every post and edit:        curl -s ${e.url}/_emulator/posts
Deliveries and retries:     curl -s ${e.url}/_emulator/deliveries
Make sockets deaf / revive: curl -s ${e.url}/_emulator/silence -d '{"silent":true}'   ('{"silent":false}')
`;
}
