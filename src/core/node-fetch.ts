/**
 * A `fetch` for platform SDKs that accept one (`@slack/web-api`'s `fetch` option), built on
 * `node:http`/`node:https` with keep-alive agents. Node's global fetch (undici) costs several
 * times more CPU per small JSON call; under load the gateway's egress was a tenth of its CPU.
 *
 * It covers what SDK API calls send: a string, Buffer, typed array or URLSearchParams body, a
 * timeout signal, `redirect: "error"`. Anything else (a stream or FormData upload) is handed to
 * the global fetch. The answer is a standard Response, read in full, so callers see no
 * difference; a failure to connect is a TypeError("fetch failed") with the cause, as undici
 * reports it.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface NodeFetchOptions {
  /** Sockets kept per host; 64 matches the egress concurrency a gateway uses. */
  maxSockets?: number;
}

export function createNodeFetch(options: NodeFetchOptions = {}): FetchFunction {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agents = { "http:": new HttpAgent(agentOptions), "https:": new HttpsAgent(agentOptions) };

  return async (input, init = {}) => {
    const body = plainBody(init.body);
    if (input instanceof Request || body === unsupported) return fetch(input, init);
    const url = input instanceof URL ? input : new URL(input);
    if (url.protocol !== "http:" && url.protocol !== "https:") return fetch(input, init);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();

    const headers = headerRecord(init.headers);
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;

    const answer = await new Promise<{ res: IncomingMessage; data: Buffer }>((resolve, reject) => {
      const req = send(url, { method: init.method ?? "GET", headers, agent: agents[url.protocol as "http:" | "https:"] }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ res, data: Buffer.concat(chunks) }));
        res.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
      });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError"));
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("close", () => signal?.removeEventListener("abort", onAbort));
      req.on("error", (error) => reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error })));
      req.end(body);
    });

    const { res, data } = answer;
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location !== undefined && init.redirect === "error") {
      throw new TypeError("fetch failed", { cause: new Error(`redirect to ${res.headers.location} refused (redirect: "error")`) });
    }
    const response = new Response(nullBodyStatus(status) ? null : (data as unknown as BodyInit), { status, statusText: res.statusMessage ?? "", headers: responseHeaders(res) });
    // A constructed Response has no URL; SDKs look at it (web-api checks one method's path).
    Object.defineProperty(response, "url", { value: url.href });
    return response;
  };
}

const unsupported = Symbol("unsupported body");

function plainBody(body: RequestInit["body"]): Buffer | undefined | typeof unsupported {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return unsupported;
}

function headerRecord(headers: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of headers instanceof Headers ? headers.entries() : headers) out[name.toLowerCase()] = value!;
    return out;
  }
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}

function responseHeaders(res: IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/** Statuses a Response may not carry a body with. */
function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}
