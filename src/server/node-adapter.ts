/**
 * Adapts the fetch-style handler to Node's `http` request listener, streaming both ways, so the
 * gateway can run on its own server or be mounted in Express, Fastify or a bare `node:http`
 * app. Only `req.url`, `req.method`, `req.headers` and the response stream are used.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { requestBody } from "./request-body.ts";
import type { FetchHandler } from "./handler.ts";

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

export function toNodeListener(handler: FetchHandler): NodeListener {
  return (req, res) => {
    void serve(handler, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "internal error" }));
      } else res.destroy(error as Error);
    });
  };
}

async function serve(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const host = req.headers.host ?? "localhost";
  const { url: target, mountPath } = mountedUrl(req);
  // A Host like `[::1` or an absolute-form target like `http://[x/` parses as no URL at all.
  const url = URL.parse(target, `http://${host}`);
  if (!url) {
    res.writeHead(400, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: "malformed request target or Host header" }));
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody ? requestBody(req) : undefined;
  const request = new Request(url, {
    method: req.method,
    headers,
    body: body?.stream,
    signal: abort.signal,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);

  const response = await handler(request, { mountPath });
  const outHeaders: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  // Answered before the body was read (413, 401): read the rest and drop it, so the client gets
  // this answer and the next request on the kept-alive connection starts at its beginning.
  body?.discardRest();
  res.writeHead(response.status, outHeaders);
  if (!response.body) {
    res.end();
    return;
  }
  // Flush each chunk as it comes: SSE must reach the client token by token.
  const reader = response.body.getReader();
  abort.signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          abort.signal.addEventListener("abort", () => resolve());
        });
      }
    }
  } catch {
    // The client went away mid-stream; the turn itself goes on.
  }
  res.end();
}

/**
 * Express-style hosts strip their mount path from `req.url` and keep the full one in
 * `req.originalUrl`. Routing uses the full URL minus the mount path, so links the gateway
 * builds (the web chat's endpoints) keep the prefix.
 */
function mountedUrl(req: IncomingMessage): { url: string; mountPath: string } {
  const url = req.url ?? "/";
  const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
  if (typeof original !== "string" || original === url) return { url, mountPath: "" };
  const path = url.split("?")[0]!;
  const originalPath = original.split("?")[0]!;
  const rest = path === "/" ? "" : path;
  if (!originalPath.endsWith(rest)) return { url, mountPath: "" };
  return { url: original, mountPath: originalPath.slice(0, originalPath.length - rest.length).replace(/\/+$/, "") };
}
