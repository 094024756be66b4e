/**
 * A reference service for Switchboard's `http` agent kind (docs/agents/http.md), and the fake the
 * tests script. Unscripted, it is a small "bring your own agent" example: it echoes the message,
 * streamed word by word as SSE when the request accepts text/event-stream and as one JSON reply
 * otherwise, and counts the session's turns in `state`. Run it on its own:
 *
 *   npx node test/emulators/http-agent/server.ts --port 4010 [--token secret] [--delay 50]
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { readText as readBody } from "../read-body.ts";

/** The body Switchboard POSTs for each turn. */
export interface TurnRequest {
  session: string;
  turn: string;
  user: { id: string };
  channel: string;
  agent: string;
  text: string;
  messages: Array<{ id: string; text: string; sender: { id: string; name?: string } }>;
  transcript: Array<{ role: "user" | "assistant"; text: string; at: number }>;
  state: { count?: number } | null;
}

/** What the next request gets instead of the echo, for tests. */
export type ScriptedResponse =
  | { kind: "error"; status: number; error: string }
  | { kind: "raw"; status?: number; contentType: string; body: string; headers?: Record<string, string> }
  | { kind: "sse"; frames: string[] }
  | { kind: "hang"; afterFirstDelta?: boolean };

export interface HttpAgentEmulator {
  url: string;
  /** Every request received, oldest first. */
  requests: Array<{ headers: IncomingHttpHeaders; body: TurnRequest }>;
  /** Queue responses for the next requests; unscripted requests get the echo. */
  script(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export interface HttpAgentEmulatorOptions {
  port?: number;
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  /** Pause between streamed words. */
  delayMs?: number;
}

export async function startHttpAgentEmulator(options: HttpAgentEmulatorOptions = {}): Promise<HttpAgentEmulator> {
  const requests: HttpAgentEmulator["requests"] = [];
  const scripted: ScriptedResponse[] = [];

  const server = createServer(async (req, res) => {
    if (req.method !== "POST") return sendJson(res, 405, { error: "POST a turn here" });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return sendJson(res, 401, { error: "invalid token" });
    let body: TurnRequest;
    try {
      body = JSON.parse(await readBody(req)) as TurnRequest;
    } catch {
      return sendJson(res, 400, { error: "the body is not JSON" });
    }
    requests.push({ headers: req.headers, body });
    const next = scripted.shift();
    if (next) return play(next, res);

    // The reference behaviour: count this session's turns, and echo.
    const count = (body.state?.count ?? 0) + 1;
    const reply = `echo #${count}: ${body.text}`;
    if (!/text\/event-stream/.test(req.headers.accept ?? "")) return sendJson(res, 200, { reply, state: { count } });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const word of reply.split(/(?<= )/)) {
      res.write(frame({ type: "text.delta", text: word }));
      if (options.delayMs) await sleep(options.delayMs);
    }
    res.write(`event: state\ndata: ${JSON.stringify({ state: { count } })}\n\n`);
    res.end(frame({ type: "message", text: reply }));
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/agent`,
    requests,
    script: (...responses) => void scripted.push(...responses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hung requests included
        server.close(() => resolve());
      }),
  };
}

function play(response: ScriptedResponse, res: ServerResponse): void {
  switch (response.kind) {
    case "error":
      return sendJson(res, response.status, { error: response.error });
    case "raw":
      res.writeHead(response.status ?? 200, { ...response.headers, "content-type": response.contentType });
      return void res.end(response.body);
    case "sse":
      res.writeHead(200, { "content-type": "text/event-stream" });
      return void res.end(response.frames.join(""));
    case "hang":
      // Never finish; the socket stays open until the client gives up or the emulator closes.
      if (response.afterFirstDelta) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(frame({ type: "text.delta", text: "thinking " }));
      }
      return;
  }
}

/** One SSE frame: the event type as `event:`, the whole event as JSON `data:`. */
export function frame(event: { type: string; [field: string]: unknown }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "4010" }, token: { type: "string" }, delay: { type: "string", default: "40" } } });
  const emulator = await startHttpAgentEmulator({ port: Number(values.port), token: values.token, delayMs: Number(values.delay) });
  console.log(`http agent emulator listening on ${emulator.url}`);
  console.log(`try: curl -N -H 'accept: text/event-stream' -d '{"text":"hello there","state":null}' ${emulator.url}`);
}
