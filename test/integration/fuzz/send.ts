/**
 * One fuzz request and the check every one of them must pass: an answer within the time limit
 * (no hang), and a 2xx or 4xx status (never a 5xx, which would mean bad input hit a bug).
 */
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export const REQUEST_TIMEOUT_MS = 10_000;

export interface SentRequest {
  status: number;
  body: string;
}

export async function post(url: string, body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string>): Promise<SentRequest> {
  const response = await fetch(url, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: response.status, body: await response.text() };
}

/** The answer a hostile request may get: accepted (2xx) or refused with a reason (4xx). */
export function assertSafe(result: SentRequest, what: string): void {
  const ok = (result.status >= 200 && result.status < 300) || (result.status >= 400 && result.status < 500);
  assert.ok(ok, `${what}: got ${result.status} ${result.body.slice(0, 300)}`);
}

/** Refused as unauthenticated. */
export function assertUnauthenticated(result: SentRequest, what: string): void {
  assert.ok(result.status === 401 || result.status === 403, `${what}: expected 401/403, got ${result.status} ${result.body.slice(0, 300)}`);
}

/** A body sent in chunks without a Content-Length, so the server cannot refuse it by the header alone. */
export function chunkedBody(total: number, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  const piece = new Uint8Array(chunk).fill(0x61);
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk, total - sent);
      sent += n;
      controller.enqueue(n === chunk ? piece : piece.subarray(0, n));
    },
  });
}

/**
 * POST on a connection of its own that is never reused. The server may answer an oversized body
 * early and close the connection while the rest is still on its way; on fetch's shared pool that
 * close could hit the next, unrelated request.
 */
export function postOnFreshConnection(url: string, body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string>): Promise<SentRequest> {
  return new Promise((resolve, reject) => {
    // Keep-alive, so the server reads and drops the rest of a refused body instead of closing on it.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request(url, { method: "POST", headers, agent, timeout: REQUEST_TIMEOUT_MS });
    req.on("close", () => agent.destroy());
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    // Writing the rest of a refused body may fail once the server closed: only a missing answer is a failure.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (body instanceof ReadableStream) Readable.fromWeb(body as WebReadableStream<Uint8Array>).on("error", () => undefined).pipe(req);
    else req.end(body);
  });
}
