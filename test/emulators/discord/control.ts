/**
 * The emulator's control API for trying the channel by hand with curl (`/_emulator/…`):
 * say something as a user (a DM, or a server message with `mention`), run the slash command,
 * and read what the bot posted.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readText } from "../read-body.ts";
import type { DiscordEmulator } from "./index.ts";

export async function handleControl(emulator: DiscordEmulator, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const send = (status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body, null, 2));
  let body: Record<string, unknown> = {};
  try {
    const text = await readText(req);
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return send(400, { error: "malformed JSON" });
  }
  const field = (name: string, fallback: string) => (typeof body[name] === "string" ? (body[name] as string) : fallback);
  if (req.method === "POST" && path === "/say") {
    const message = emulator.say({ user: field("user", "42"), channel: field("channel", "500"), content: field("content", "hello"), mention: body.mention === true });
    return send(200, { sent: message.id });
  }
  if (req.method === "POST" && path === "/command") {
    const delivery = await emulator.slashCommand({ user: field("user", "42"), channel: field("channel", "501"), text: field("text", "hello"), name: field("name", "ask") });
    return send(200, delivery);
  }
  if (req.method === "GET" && path === "/messages") {
    const channel = query.get("channel") ?? "500";
    return send(200, emulator.botMessages(channel).map((m) => ({ id: m.id, content: m.content, edited: m.edited_timestamp !== null })));
  }
  send(404, { error: `no control route ${req.method} ${path}`, routes: ["POST /_emulator/say", "POST /_emulator/command", "GET /_emulator/messages?channel=ID"] });
}

export function usage(emulator: DiscordEmulator): string {
  return `Discord emulator listening on ${emulator.url}

Configure the channel (switchboard.yaml):

  channels:
    discord:
      type: discord
      botToken: "${emulator.botToken}"
      publicKey: "${emulator.publicKey}"
      apiUrl: "${emulator.apiUrl}"
      access: { policy: open }   # a local trial: let every emulated user in (the default pairs)

Slash commands are POSTed, signed, to ${emulator.interactionsUrl ?? "(no --interactions-url: they go over the gateway)"}.
Channels: 500 is a DM with user 42; 501 is #general in server ${emulator.guildId}.

Say something as user 42 (a DM), then read the bot's answer:

  curl -s -X POST ${emulator.url}/_emulator/say -H 'content-type: application/json' -d '{"user":"42","channel":"500","content":"hello"}'
  curl -s '${emulator.url}/_emulator/messages?channel=500'

Mention the bot in #general, or run /ask there:

  curl -s -X POST ${emulator.url}/_emulator/say -H 'content-type: application/json' -d '{"channel":"501","content":"hi","mention":true}'
  curl -s -X POST ${emulator.url}/_emulator/command -H 'content-type: application/json' -d '{"channel":"501","text":"what can you do?"}'
  curl -s '${emulator.url}/_emulator/messages?channel=501'
`;
}
