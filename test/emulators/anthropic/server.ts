/**
 * A fake Anthropic Messages API for tests and local development: POST /v1/messages with the real
 * headers, checks, SSE events and error bodies, answering from a per-test script. It records
 * every request. Run `npx node test/emulators/anthropic/server.ts --port 4010` for a canned one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { errorBody, frame, messageFrames, messageId, messageJson, messageStart, blockFrames, requestId, type ScriptedBlock } from "./wire.ts";
import { invalidRequest } from "./validate.ts";
import { readText as readBody } from "../read-body.ts";

export type { ScriptedBlock } from "./wire.ts";

export type FakeReply =
  /** A complete answer, streamed (or JSON when `stream` is not set). */
  | { kind: "message"; blocks: ScriptedBlock[]; stopReason?: string; frameDelayMs?: number }
  /** An HTTP error with the API's error JSON: 401 authentication_error, 529 overloaded_error, 500 api_error… */
  | { kind: "error"; status: number; type: string; message: string; headers?: Record<string, string> }
  /** A stream that starts, sends `blocks`, then an `event: error` (e.g. overloaded_error) instead of finishing. */
  | { kind: "stream-error"; type: string; message: string; blocks?: ScriptedBlock[] }
  /** Whatever bytes a broken proxy or server might send. */
  | { kind: "raw"; body: string; status?: number; contentType?: string }
  /** Never answer; with `midStream`, stall after the first words of a reply. */
  | { kind: "hang"; midStream?: boolean }
  /** Worked out from the request when it arrives, as a model reads its input: e.g. an answer quoting the last tool result. */
  | { kind: "computed"; reply: (body: any) => FakeReply };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** The 4xx reason when the fake refused the request as the API would. */
  rejected?: string;
}

export interface FakeAnthropic {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Queue replies for the next requests, in order; with none queued, `defaultReply` answers. */
  enqueue(...replies: FakeReply[]): void;
  /** Requests the fake accepted (not refused with a 4xx before the script). */
  accepted(): RecordedRequest[];
  close(): Promise<void>;
}

export const reply = {
  text: (text: string, chunks?: string[]): FakeReply => ({ kind: "message", blocks: [{ type: "text", text, chunks }] }),
  toolUse: (name: string, input: Record<string, unknown> | string, options: { text?: string; id?: string; fragmentSize?: number } = {}): FakeReply => ({
    kind: "message",
    stopReason: "tool_use",
    blocks: [...(options.text ? [{ type: "text" as const, text: options.text }] : []), { type: "tool_use", name, input, id: options.id, fragmentSize: options.fragmentSize }],
  }),
  error: (status: number, type: string, message: string): FakeReply => ({ kind: "error", status, type, message }),
};

/** The canned answer: repeats the last user text. */
export function defaultReply(body: any): FakeReply {
  const last = Array.isArray(body?.messages) ? body.messages.at(-1) : undefined;
  const text = typeof last?.content === "string" ? last.content : "your message";
  return reply.text(`Hello from the fake Anthropic API. You said: ${text}`);
}

export async function startFakeAnthropic(options: { port?: number; apiKey?: string } = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? "sk-ant-test-0123456789";
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const recorded: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: { ...req.headers }, body };
    requests.push(recorded);
    const refuse = (status: number, type: string, message: string) => {
      recorded.rejected = message;
      sendError(res, { kind: "error", status, type, message });
    };

    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== "/v1/messages") return refuse(404, "not_found_error", "Not Found");
    // The API takes the key as x-api-key; the official SDK since 1.x sends it as a Bearer token.
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    const key = req.headers["x-api-key"] ?? bearer;
    if (!key) return refuse(401, "authentication_error", "x-api-key header is required");
    if (key !== apiKey) return refuse(401, "authentication_error", "invalid x-api-key");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(req.headers["anthropic-version"] ?? ""))) return refuse(400, "invalid_request_error", "anthropic-version: header is required");
    if (typeof body === "string") return refuse(400, "invalid_request_error", "There was an error parsing the body as JSON");
    const invalid = invalidRequest(body);
    if (invalid) return refuse(400, "invalid_request_error", invalid);

    let scripted = queue.shift() ?? defaultReply(body);
    while (scripted.kind === "computed") scripted = scripted.reply(body);
    await answer(res, scripted, body as Record<string, unknown>);
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    accepted: () => requests.filter((r) => !r.rejected),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(res: ServerResponse, scripted: Exclude<FakeReply, { kind: "computed" }>, body: Record<string, unknown>): Promise<void> {
  const model = String(body.model);
  const inputTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
  const id = messageId();
  switch (scripted.kind) {
    case "error":
      return sendError(res, scripted);
    case "raw":
      res.writeHead(scripted.status ?? 200, { "content-type": scripted.contentType ?? "text/event-stream; charset=utf-8", "request-id": requestId() });
      res.end(scripted.body);
      return;
    case "hang":
      if (scripted.midStream) {
        startStream(res);
        res.write(messageStart(id, model, inputTokens));
        res.write(blockFrames({ type: "text", text: "Let me think" }, 0).slice(0, -1).join(""));
      }
      return; // the socket stays open until the client gives up or the fake closes
    case "stream-error":
      startStream(res);
      res.write(messageStart(id, model, inputTokens));
      for (const [i, block] of (scripted.blocks ?? []).entries()) res.write(blockFrames(block, i).join(""));
      res.end(frame("error", errorBody(scripted.type, scripted.message)));
      return;
    case "message": {
      const stopReason = scripted.stopReason ?? "end_turn";
      if (body.stream !== true) {
        res.writeHead(200, { "content-type": "application/json", "request-id": requestId() });
        res.end(JSON.stringify(messageJson({ id, model, inputTokens, blocks: scripted.blocks, stopReason })));
        return;
      }
      startStream(res);
      for (const chunk of messageFrames({ id, model, inputTokens, blocks: scripted.blocks, stopReason })) {
        if (res.destroyed) return;
        res.write(chunk);
        if (scripted.frameDelayMs) await new Promise((r) => setTimeout(r, scripted.frameDelayMs));
      }
      res.end();
      return;
    }
  }
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": requestId() });
  res.flushHeaders();
}

function sendError(res: ServerResponse, error: Extract<FakeReply, { kind: "error" }>): void {
  res.writeHead(error.status, { "content-type": "application/json", "request-id": requestId(), ...error.headers });
  res.end(JSON.stringify(errorBody(error.type, error.message)));
}

// Local development: `npx node test/emulators/anthropic/server.ts --port 4010 [--key sk-ant-…]`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const fake = await startFakeAnthropic({ port: Number(arg("--port") ?? 4010), apiKey: arg("--key") });
  console.log(`fake Anthropic API listening on ${fake.url} (api key: ${fake.apiKey})`);
  console.log(`  agents: { claude: { kind: anthropic, baseUrl: "${fake.url}", apiKey: "${fake.apiKey}", model: claude-sonnet-4-6 } }`);
}

