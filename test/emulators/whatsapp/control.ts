/**
 * The emulator's own HTTP routes, for people trying the channel without a Meta app (and scripts):
 * say something as a user, see what the business sent, inject errors, move the clock.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readText } from "../read-body.ts";
import type { WhatsAppEmulator } from "./index.ts";

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, emulator: WhatsAppEmulator): Promise<void> {
  const method = req.method ?? "GET";
  if (method === "GET" && path === "/") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(usage(emulator));
    return;
  }
  let body: Record<string, unknown> = {};
  if (method === "POST") {
    try {
      body = JSON.parse((await readText(req)) || "{}") as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: "send a JSON body" });
    }
  }
  const route = `${method} ${path}`;
  switch (route) {
    case "POST /_emulator/message": {
      const from = typeof body.from === "string" ? body.from : undefined;
      if (!from || (typeof body.text !== "string" && typeof body.content !== "object")) return send(res, 400, { error: 'send {"from": "15551234567", "text": "hi"} (or "content": {type, …}), and optionally "name"' });
      if (!emulator.webhookUrl) return send(res, 409, { error: "no webhook URL: run the emulator with --webhook-url http://127.0.0.1:8787/channels/<id>" });
      const delivery = emulator.userMessage({ from, ...(typeof body.name === "string" ? { name: body.name } : {}), ...(typeof body.text === "string" ? { text: body.text } : {}), ...(body.content ? { content: body.content as never } : {}) });
      const result = await delivery;
      return send(res, 200, { id: result.id, acked: result.acked, attempts: result.attempts });
    }
    case "POST /_emulator/verify":
      return send(res, 200, await emulator.verifyWebhook());
    case "POST /_emulator/fail": {
      const code = Number(body.code ?? 130429);
      emulator.failNext(Number(body.count ?? 1), { code, ...(typeof body.status === "number" ? { status: body.status } : {}) });
      return send(res, 200, { ok: true });
    }
    case "POST /_emulator/clock":
      emulator.advanceClock(Number(body.advanceMs ?? 0));
      return send(res, 200, { now: new Date(emulator.now()).toISOString() });
    case "GET /_emulator/sent":
      return send(res, 200, { sent: emulator.sent() });
    case "GET /_emulator/reads":
      return send(res, 200, { reads: emulator.reads });
    case "GET /_emulator/deliveries":
      return send(res, 200, { deliveries: emulator.deliveries.map(({ id, acked, attempts }) => ({ id, acked, attempts })) });
    default:
      return send(res, 404, { error: { message: `Unknown path components: ${path}`, type: "OAuthException", code: 2500 } });
  }
}

export function usage(e: WhatsAppEmulator): string {
  return `WhatsApp Cloud API emulator at ${e.url}

Configure the channel (switchboard.yaml):
  channels:
    whatsapp:
      type: whatsapp
      phoneNumberId: "${e.phoneNumberId}"
      accessToken: ${e.accessToken}
      appSecret: ${e.appSecret}
      verifyToken: ${e.verifyToken}
      apiUrl: ${e.apiUrl}
      access: { policy: open }   # a local trial: let every emulated user in (the default pairs)

Webhook URL: ${e.webhookUrl ?? "(none: restart with --webhook-url http://127.0.0.1:8787/channels/whatsapp)"}

Say something as a user:
  curl -s ${e.url}/_emulator/message -H 'content-type: application/json' -d '{"from":"15551234567","name":"Alice","text":"Hello!"}'
See what the business sent:    curl -s ${e.url}/_emulator/sent
Run Meta's verification GET:   curl -s -X POST ${e.url}/_emulator/verify
Make the next send hit 130429: curl -s ${e.url}/_emulator/fail -H 'content-type: application/json' -d '{"code":130429}'
Jump 25 hours (window closes): curl -s ${e.url}/_emulator/clock -H 'content-type: application/json' -d '{"advanceMs":90000000}'
`;
}
