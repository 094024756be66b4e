/**
 * The bare baseline for the Slack scenarios, run as its own process: a `node:http` server that
 * does the least a correct Slack Events endpoint can. It verifies the v0 signature (and the
 * replay window), parses the JSON, answers 200, and with `--reply` posts the echo through
 * chat.postMessage over keep-alive connections: no store, no queue, no retries.
 *
 *   SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=http://127.0.0.1:P/api/ node bench/targets/bare-slack.ts [--reply]
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

const secret = requiredEnv("SLACK_SIGNING_SECRET");
const reply = process.argv.includes("--reply");
const token = reply ? requiredEnv("SLACK_BOT_TOKEN") : "";
const api = reply ? new URL(`${requiredEnv("SLACK_API_URL").replace(/\/$/, "")}/chat.postMessage`) : undefined;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bare-slack: set ${name}`);
  return value;
}

function verified(timestamp: string | undefined, signature: string | undefined, body: string): boolean {
  if (!timestamp || !signature) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function postMessage(channel: string, text: string): void {
  const body = JSON.stringify({ channel, text });
  const req = request(api!, { agent, method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) } }, (res) => res.resume());
  req.on("error", (error) => console.error("bare-slack: chat.postMessage failed:", error.message));
  req.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    if (!verified(req.headers["x-slack-request-timestamp"] as string | undefined, req.headers["x-slack-signature"] as string | undefined, body)) {
      res.writeHead(401).end();
      return;
    }
    let payload: { type?: string; challenge?: string; event?: { type?: string; channel?: string; text?: string; bot_id?: string } };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (payload.type === "url_verification") {
      res.writeHead(200, { "content-type": "text/plain" }).end(payload.challenge ?? "");
      return;
    }
    res.writeHead(200).end();
    const event = payload.event;
    if (reply && event?.type === "message" && !event.bot_id && event.channel && event.text) postMessage(event.channel, event.text);
  });
});

server.listen(0, "127.0.0.1", () => console.log(`bare-slack listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
