/**
 * The load generator: POST prepared bodies over a fixed number of keep-alive connections, as
 * fast as the server answers (closed loop) or at a fixed rate (open loop, for latency at the same
 * load). Records when each request was sent and how long its answer took.
 */
import { Agent, request } from "node:http";
import type { SignedEvent } from "./slack-world.ts";

export interface LoadOptions {
  url: string;
  events: SignedEvent[];
  connections: number;
  /** Requests per second; unset: as fast as answers come. */
  rate?: number;
}

export interface LoadResult {
  seconds: number;
  /** performance.now() at each send, by position in `events`. */
  sentAt: Float64Array;
  /** Milliseconds from send to the end of the answer. */
  latencyMs: Float64Array;
  /** Answers that were not 2xx (and transport errors), with one example. */
  failed: number;
  firstFailure: string | undefined;
}

export async function sendLoad(options: LoadOptions): Promise<LoadResult> {
  const { events, connections } = options;
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const sentAt = new Float64Array(events.length);
  const latencyMs = new Float64Array(events.length);
  let failed = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const started = performance.now();

  const post = (event: SignedEvent) =>
    new Promise<void>((resolve) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: "POST", headers: { ...event.headers, "content-length": Buffer.byteLength(event.body) } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            if (body.length < 300) body += chunk;
          });
          res.on("end", () => {
            if (res.statusCode! < 200 || res.statusCode! >= 300) {
              failed++;
              firstFailure ??= `HTTP ${res.statusCode}: ${body.slice(0, 200)}`;
            }
            resolve();
          });
        },
      );
      req.on("error", (error) => {
        failed++;
        firstFailure ??= error.message;
        resolve();
      });
      req.end(event.body);
    });

  async function worker(): Promise<void> {
    for (let i = next++; i < events.length; i = next++) {
      if (options.rate) {
        const due = started + (i * 1000) / options.rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      const at = performance.now();
      sentAt[i] = at;
      await post(events[i]!);
      latencyMs[i] = performance.now() - at;
    }
  }

  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  return { seconds: (performance.now() - started) / 1000, sentAt, latencyMs, failed, firstFailure };
}
