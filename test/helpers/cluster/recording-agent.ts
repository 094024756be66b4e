/**
 * The agent service of the cluster tests: an `http` agent endpoint (docs/agents/http.md) in the
 * test process that records every turn it is asked to run: which session and turn, the
 * messages, the gateway that asked (the `x-gateway` header each instance's config adds), and
 * when the turn started and ended in the agent's own clock. It answers `ack <texts>` after a
 * short random delay, so turns of different sessions overlap as they would with a real model.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readText } from "../../emulators/read-body.ts";
import { prng } from "../random.ts";
import { now } from "./clock.ts";

export interface TurnRecord {
  session: string;
  turn: string;
  /** The texts of the turn's messages; the cluster test sends each message's id as its text. */
  texts: string[];
  gateway: string;
  start: number;
  /** When the answer was written, or when the gateway hung up first (killed mid-turn). */
  end: number;
  outcome: "answered" | "hung-up";
}

export interface RecordingAgent {
  url: string;
  turns: TurnRecord[];
  close(): Promise<void>;
}

interface TurnRequest {
  session: string;
  turn: string;
  messages: Array<{ text: string }>;
}

export function ackText(texts: string[]): string {
  return `ack ${texts.join(" + ")}`;
}

export async function startRecordingAgent(options: { minDelayMs?: number; maxDelayMs?: number; seed?: number } = {}): Promise<RecordingAgent> {
  const minDelay = options.minDelayMs ?? 5;
  const maxDelay = options.maxDelayMs ?? 20;
  const random = prng(options.seed ?? 1);
  const turns: TurnRecord[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const start = now();
    let hungUp: number | undefined;
    res.on("close", () => {
      if (!res.writableFinished) hungUp ??= now();
    });
    const body = JSON.parse(await readText(req)) as TurnRequest;
    const texts = body.messages.map((m) => m.text);
    const record: TurnRecord = { session: body.session, turn: body.turn, texts, gateway: String(req.headers["x-gateway"] ?? "?"), start, end: start, outcome: "answered" };
    turns.push(record);
    await new Promise((resolve) => setTimeout(resolve, minDelay + random() * (maxDelay - minDelay)));
    if (hungUp !== undefined) {
      record.end = hungUp;
      record.outcome = "hung-up";
      return;
    }
    record.end = now();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ reply: ackText(texts) }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/turn`,
    turns,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
