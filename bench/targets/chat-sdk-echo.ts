/**
 * The Chat SDK peer, run as its own process: `chat` with `@chat-adapter/slack` and the memory
 * state, an echo handler for DMs, served by `node:http` (the SDK takes Web Requests). Default
 * settings otherwise, including its concurrency strategy.
 *
 *   SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=http://127.0.0.1:P/api/ SLACK_BOT_USER_ID=U… node bench/targets/chat-sdk-echo.ts
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Chat, type StateAdapter } from "chat";
import { createSlackAdapter } from "@chat-adapter/slack";
import { createMemoryState } from "@chat-adapter/state-memory";

const chat = new Chat({
  userName: "bench",
  adapters: {
    slack: createSlackAdapter({
      botToken: requiredEnv("SLACK_BOT_TOKEN"),
      signingSecret: requiredEnv("SLACK_SIGNING_SECRET"),
      apiUrl: requiredEnv("SLACK_API_URL"),
      botUserId: requiredEnv("SLACK_BOT_USER_ID"),
    }),
  },
  // state-memory 4.41.0 brings its own copy of `chat`: the same interface, declared twice.
  state: createMemoryState() as unknown as StateAdapter,
  logger: "error",
});

chat.onDirectMessage(async (thread, message) => {
  await thread.post(message.text);
});

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`chat-sdk-echo: set ${name}`);
  return value;
}

async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  return new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method, headers, body: Buffer.concat(chunks) });
}

const server = createServer((req, res) => {
  void toRequest(req)
    .then((request) => chat.webhooks.slack(request, { waitUntil: (task) => void task.catch((error: unknown) => console.error("chat-sdk-echo:", error)) }))
    .then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })
    .catch((error: unknown) => {
      console.error("chat-sdk-echo:", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
});

server.listen(0, "127.0.0.1", () => console.log(`chat-sdk-echo listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
