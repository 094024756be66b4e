/**
 * Request and response helpers for every channel that speaks HTTP: bodies read under a size
 * limit, JSON parsed with a 4xx that says what was wrong, JSON and SSE responses, and a
 * constant-time key check.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import { RequestError } from "./errors.ts";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

export function errorResponse(status: number, message: string, retryAfterMs?: number): Response {
  const response = json({ error: message }, status);
  // A temporary refusal (a rate limit) says when to come back, in whole seconds as HTTP wants.
  if (retryAfterMs !== undefined) response.headers.set("retry-after", String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return response;
}

/** Read the raw body, refusing more than `limit` bytes with a 413 (without buffering the excess). */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new RequestError(413, `request body is over the ${limit}-byte limit`);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new RequestError(413, `request body is over the ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A platform's webhook delivery, read raw for its signature check: POST only (405 otherwise),
 * at most `limit` bytes (413). The refusal comes back as the Response to send.
 */
export async function readWebhookBody(request: Request, limit: number, what: string): Promise<Uint8Array | Response> {
  if (request.method !== "POST") return json({ error: `${what} are POSTed` }, 405, { allow: "POST" });
  try {
    return await readBody(request, limit);
  } catch (error) {
    if (error instanceof RequestError) return errorResponse(error.status, error.message);
    throw error;
  }
}

/** Read a JSON body: 415 for another content type, 400 for malformed JSON, 413 past the limit. */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new RequestError(415, `expected content-type application/json, got ${type ? `"${type}"` : "none"}`);
  }
  const body = await readBody(request, limit);
  try {
    return JSON.parse(Buffer.from(body).toString("utf8"));
  } catch (error) {
    throw new RequestError(400, `malformed JSON: ${(error as Error).message}`);
  }
}

/** Compare secrets in constant time (hashing first, so lengths leak nothing either). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The bearer token of a request, from `Authorization: Bearer …` or `X-Switchboard-Key`. */
export function bearerToken(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return headers.get("x-switchboard-key") ?? undefined;
}

export function wantsEventStream(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/event-stream");
}

/** A Server-Sent Events response fed by an async iterable; each item is one `event:`/`data:` frame. */
export function sseResponse(events: AsyncIterable<{ type: string }>, onClose?: () => void): Response {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(`event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`));
      } catch (error) {
        controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ type: "error", message: (error as Error).message })}\n\n`));
        controller.close();
      }
    },
    async cancel() {
      onClose?.();
      await iterator.return?.();
    },
  });
  return new Response(stream, {
    status: 200,
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}
