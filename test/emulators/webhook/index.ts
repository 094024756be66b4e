/**
 * A callback receiver for the generic webhook channel: the kind of server a user would write.
 * It verifies every callback's signature and timestamp, drops repeats by `id` (as the docs tell
 * receivers to), records every attempt, and can be told to answer 429 with Retry-After, 500, or
 * slowly, so tests see the channel's retries. It also signs requests to send to the channel.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { readText } from "../read-body.ts";
import { signedHeaders, verify, type Algorithm, type Verdict } from "./signing.ts";

export { sign, signedHeaders } from "./signing.ts";
export type { Verdict } from "./signing.ts";

export interface WebhookEmulatorOptions {
  port?: number;
  /** The shared secret; random by default. */
  secret?: string;
  algorithm?: Algorithm;
  /** Header names, lowercase; the channel's defaults unless changed. */
  signatureHeader?: string;
  timestampHeader?: string;
  /** Accepted timestamp skew, 300 s by default. */
  toleranceSec?: number;
  /** Called after each attempt was answered (the CLI prints them). */
  onAttempt?: (attempt: CallbackAttempt) => void;
}

/** One POST that reached the receiver, whatever came of it. */
export interface CallbackAttempt {
  at: number;
  path: string;
  headers: Record<string, string | undefined>;
  raw: string;
  body: CallbackPayload | undefined;
  verdict: Verdict;
  /** The status the receiver answered. */
  status: number;
  /** True when the id had already been received (a retry after a lost answer): acknowledged, not kept twice. */
  repeat: boolean;
}

/** The callback body as the channel documents it. */
export interface CallbackPayload {
  id: string;
  inReplyTo: string | null;
  sessionId: string;
  conversation: { id: string; kind: "dm" | "group" };
  thread: string | null;
  user: { id: string } | null;
  text: string;
  part: number;
  parts?: number;
  metadata?: Record<string, unknown>;
}

/** An answer to give instead of 200: a status, an optional Retry-After (seconds or a date) and body. */
export interface InjectedAnswer {
  status: number;
  retryAfter?: string;
  body?: string;
}

export interface WebhookEmulator {
  /** Base URL; callbacks may go to any path under it, e.g. `${url}/callback`. */
  url: string;
  /** The URL to configure as `callbackUrl`. */
  callbackUrl: string;
  secret: string;
  /** Every attempt, in arrival order. */
  readonly attempts: CallbackAttempt[];
  /** Verified callbacks, each id once, in arrival order: what the receiving app acts on. */
  received(): CallbackPayload[];
  /** The next `count` verified callbacks get this answer instead of 200 (and are not kept). */
  failNext(count: number, answer: InjectedAnswer): void;
  /** Wait this long before answering each callback (a slow receiver). */
  setDelay(ms: number): void;
  /** Headers signing `body` for a POST to the channel. */
  sign(body: string, options?: { nowMs?: number; timestamp?: boolean }): Record<string, string>;
  /** Resolves with the received callbacks once there are at least `count`. */
  waitForCallbacks(count: number, timeoutMs?: number): Promise<CallbackPayload[]>;
  reset(): void;
  close(): Promise<void>;
}

export async function startWebhookEmulator(options: WebhookEmulatorOptions = {}): Promise<WebhookEmulator> {
  const secret = options.secret ?? randomBytes(24).toString("hex");
  const algorithm = options.algorithm ?? "sha256";
  const signatureHeader = (options.signatureHeader ?? "x-switchboard-signature").toLowerCase();
  const timestampHeader = (options.timestampHeader ?? "x-switchboard-timestamp").toLowerCase();
  const toleranceSec = options.toleranceSec ?? 300;
  const attempts: CallbackAttempt[] = [];
  const kept = new Map<string, CallbackPayload>();
  const injected: InjectedAnswer[] = [];
  let delayMs = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST") return answer(res, 405, { error: "callbacks are POSTed" });
    const raw = await readText(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]));
    const verdict = verify(secret, raw, { signature: headers[signatureHeader], timestamp: headers[timestampHeader] }, { nowMs: Date.now(), toleranceSec, algorithm });
    let body: CallbackPayload | undefined;
    try {
      body = JSON.parse(raw) as CallbackPayload;
    } catch {
      body = undefined;
    }
    const attempt: CallbackAttempt = { at: Date.now(), path: req.url ?? "/", headers, raw, body, verdict, status: 200, repeat: false };
    attempts.push(attempt);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (verdict !== "ok") return answer(res, (attempt.status = 401), { error: verdict });
    if (typeof body?.id !== "string") return answer(res, (attempt.status = 400), { error: "callback without an id" });
    const failure = injected.shift();
    if (failure) {
      attempt.status = failure.status;
      res.writeHead(failure.status, { "content-type": "application/json", ...(failure.retryAfter !== undefined ? { "retry-after": failure.retryAfter } : {}) });
      return res.end(failure.body ?? JSON.stringify({ error: `injected ${failure.status}` }));
    }
    attempt.repeat = kept.has(body.id);
    if (!attempt.repeat) kept.set(body.id, body);
    return answer(res, 200, { ok: true, duplicate: attempt.repeat });
  };

  const server = createServer((req, res) => {
    handle(req, res)
      .catch((error: unknown) => answer(res, 500, { error: String(error) }))
      .finally(() => {
        const last = attempts.at(-1);
        if (last && options.onAttempt) options.onAttempt(last);
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const received = () => [...kept.values()];

  return {
    url,
    callbackUrl: `${url}/callback`,
    secret,
    attempts,
    received,
    failNext(count, failure) {
      for (let i = 0; i < count; i++) injected.push(failure);
    },
    setDelay(ms) {
      delayMs = ms;
    },
    sign(body, signOptions = {}) {
      return signedHeaders(secret, body, { ...signOptions, header: signatureHeader, timestampHeader, algorithm });
    },
    async waitForCallbacks(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (kept.size < count) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} callback(s); got ${kept.size} (${attempts.length} attempts)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received();
    },
    reset() {
      attempts.length = 0;
      kept.clear();
      injected.length = 0;
      delayMs = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
