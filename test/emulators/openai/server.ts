/**
 * A fake OpenAI Chat Completions server for tests and local development. It speaks the real
 * wire format (see wire.ts), checks the Bearer key when given one, validates requests the way
 * OpenAI does (tool results must answer the preceding tool calls), records every request, and
 * answers from a per-test script: text, tool calls, errors, a malformed or cut stream, a hang, or
 * a reply computed from the request (quoting a tool result, as a model would).
 * With an empty script it echoes the last user message.
 *
 *   npx node test/emulators/openai/server.ts --port 4010 [--api-key sk-test]
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { apiError, chunkFrame, completionFromChunks, completionId, doneFrame, textChunks, toolCallChunks, type ChunkBody, type ScriptedToolCall, type WireError } from "./wire.ts";
import { readText as readBody } from "../read-body.ts";

export type FakeResponse =
  /** A streamed text reply; a string is sent a word at a time. */
  | { kind: "text"; text: string | string[]; finishReason?: string; delayMs?: number }
  | { kind: "tool_calls"; calls: ScriptedToolCall[]; text?: string; fragmentSize?: number }
  | { kind: "error"; status: number; message?: string; type?: string; code?: string | null; retryAfter?: string }
  /** `json`: a data line that is not JSON; `truncated`: the stream closes before finish_reason and [DONE]. */
  | { kind: "malformed"; how: "json" | "truncated"; text?: string[] }
  /** An `{"error": …}` object inside an otherwise good stream, as OpenAI sends for mid-stream failures. */
  | { kind: "stream_error"; message: string; text?: string[] }
  /** Never finishes: with `text`, the headers and those chunks are sent first; without, nothing at all. */
  | { kind: "hang"; text?: string[] }
  /** Worked out from the request when it arrives, as a model reads its input: e.g. an answer quoting the last tool result. */
  | { kind: "computed"; reply: (body: any) => FakeResponse };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface OpenAiFake {
  /** The base URL to configure, ending in /v1. */
  url: string;
  requests: RecordedRequest[];
  /** Requests to /v1/chat/completions, in order. */
  readonly completions: RecordedRequest[];
  enqueue(...responses: FakeResponse[]): void;
  close(): Promise<void>;
}

export interface OpenAiFakeOptions {
  port?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  model?: string;
}

export async function startOpenAiFake(options: OpenAiFakeOptions = {}): Promise<OpenAiFake> {
  const queue: FakeResponse[] = [];
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      console.error("openai fake:", error);
      res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push({ method: req.method ?? "GET", path, headers: req.headers, body });

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!presented) return sendError(res, apiError(401, { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.", code: null }));
      // OpenAI quotes the wrong key masked: its first 3 and last 4 characters.
      const masked = `${presented.slice(0, 3)}${"*".repeat(Math.max(0, presented.length - 7))}${presented.slice(-4)}`;
      return sendError(res, apiError(401, { message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.` }));
    }
    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: [{ id: options.model ?? "gpt-fake", object: "model", created: 1700000000, owned_by: "switchboard-test" }] });
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      return sendError(res, apiError(404, { message: `Invalid URL (${req.method} ${path})`, code: null }));
    }
    const invalid = validate(body);
    if (invalid) return sendError(res, apiError(400, invalid));
    let next = queue.shift() ?? { kind: "text", text: `You said: ${lastUserText(body.messages)}` };
    while (next.kind === "computed") next = next.reply(body);
    await respond(res, next, body);
  }

  async function respond(res: ServerResponse, scripted: Exclude<FakeResponse, { kind: "computed" }>, body: any): Promise<void> {
    if (scripted.kind === "error") return sendError(res, apiError(scripted.status, scripted));
    const id = completionId();
    const model = typeof body.model === "string" ? body.model : "gpt-fake";
    const created = Math.floor(Date.now() / 1000);
    const frame = (chunk: ChunkBody) => chunkFrame(id, model, created, chunk);
    const partial = (pieces: string[] | undefined) => textChunks(pieces ?? [], "stop").slice(0, -1);

    if (scripted.kind === "hang" && !scripted.text) return; // no headers, no body, ever
    if (body.stream !== true) {
      if (scripted.kind === "text" || scripted.kind === "tool_calls") return sendJson(res, 200, completionFromChunks(id, model, created, chunksOf(scripted)));
      if (scripted.kind === "hang") return;
      return sendError(res, apiError(500));
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": `req_${id}`, "openai-processing-ms": "12" });
    switch (scripted.kind) {
      case "text":
      case "tool_calls":
        for (const chunk of chunksOf(scripted)) {
          if (res.destroyed) return;
          res.write(frame(chunk));
          if (scripted.kind === "text" && scripted.delayMs) await sleep(scripted.delayMs);
        }
        res.end(doneFrame);
        return;
      case "malformed":
        for (const chunk of partial(scripted.text)) res.write(frame(chunk));
        if (scripted.how === "json") res.write(`data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"oops\n\n`);
        res.end();
        return;
      case "stream_error":
        for (const chunk of partial(scripted.text)) res.write(frame(chunk));
        res.end(`data: ${JSON.stringify({ error: { message: scripted.message, type: "server_error", param: null, code: null } })}\n\n`);
        return;
      case "hang":
        for (const chunk of partial(scripted.text)) res.write(frame(chunk));
        return; // the response stays open until the client gives up or the fake closes
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get completions() {
      return requests.filter((r) => r.path === "/v1/chat/completions");
    },
    enqueue: (...responses) => void queue.push(...responses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function chunksOf(scripted: Extract<FakeResponse, { kind: "text" | "tool_calls" }>): ChunkBody[] {
  if (scripted.kind === "tool_calls") return toolCallChunks(scripted.calls, { text: scripted.text, fragmentSize: scripted.fragmentSize });
  const pieces = typeof scripted.text === "string" ? scripted.text.split(/(?<=\s)/) : scripted.text;
  return textChunks(pieces, scripted.finishReason);
}

/** The 400s OpenAI gives for requests our agent could plausibly get wrong. */
function validate(body: any): { message: string; param?: string; code?: string } | undefined {
  if (typeof body !== "object" || body === null) return { message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)" };
  if (typeof body.model !== "string" || body.model === "") return { message: "you must provide a model parameter" };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { message: "Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter" };
  let open: string[] = [];
  for (const [i, m] of (body.messages as any[]).entries()) {
    if (m?.role === "tool") {
      if (!open.includes(m.tool_call_id)) return { message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", param: `messages.[${i}].role` };
      open = open.filter((id) => id !== m.tool_call_id);
      continue;
    }
    if (open.length > 0) return { message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${open.join(", ")}`, param: "messages" };
    if (m?.role === "assistant" && Array.isArray(m.tool_calls)) open = m.tool_calls.map((c: any) => c.id);
  }
  if (open.length > 0) return { message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${open.join(", ")}`, param: "messages" };
  return undefined;
}

function lastUserText(messages: any[]): string {
  const last = [...messages].reverse().find((m) => m?.role === "user");
  return typeof last?.content === "string" ? last.content : "";
}

function sendError(res: ServerResponse, error: WireError): void {
  res.writeHead(error.status, { "content-type": "application/json", ...error.headers });
  res.end(JSON.stringify(error.body));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const fake = await startOpenAiFake({ port: Number(arg("--port") ?? 4010), apiKey: arg("--api-key") });
  console.log(`fake OpenAI Chat Completions API at ${fake.url} (no script: it answers "You said: …")`);
}
