import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeFetch } from "../../../src/core/node-fetch.ts";

describe("the node:http fetch the platform SDKs use", () => {
  let server: Server;
  let base: string;
  const fetchFn = createNodeFetch();

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2_000);
        if (req.url === "/redirect") return void res.writeHead(302, { location: "/elsewhere" }).end();
        if (req.url === "/limited") return void res.writeHead(429, { "retry-after": "7", "content-type": "application/json" }).end('{"ok":false}');
        res.writeHead(200, { "content-type": "application/json", "x-oauth-scopes": "chat:write", "set-cookie": ["a=1", "b=2"] });
        res.end(JSON.stringify({ method: req.method, body, type: req.headers["content-type"], auth: req.headers.authorization, length: req.headers["content-length"] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("sends the method, headers and a string or URLSearchParams body, and answers a standard Response", async () => {
    const response = await fetchFn(`${base}/api/chat.postMessage`, { method: "POST", headers: { Authorization: "Bearer xoxb-1", "Content-Type": "application/json" }, body: '{"text":"hé"}' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-oauth-scopes"), "chat:write");
    assert.equal(response.url, `${base}/api/chat.postMessage`);
    assert.deepEqual(await response.json(), { method: "POST", body: '{"text":"hé"}', type: "application/json", auth: "Bearer xoxb-1", length: String(Buffer.byteLength('{"text":"hé"}')) });

    const form = await fetchFn(`${base}/form`, { method: "POST", headers: new Headers({ "content-type": "application/x-www-form-urlencoded" }), body: new URLSearchParams({ a: "1 2" }) });
    assert.equal(((await form.json()) as { body: string }).body, "a=1+2");
  });

  it("passes a 429 and its Retry-After through for the SDK to read", async () => {
    const response = await fetchFn(`${base}/limited`, { method: "POST" });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "7");
  });

  it("refuses a redirect when asked to, as fetch does", async () => {
    await assert.rejects(fetchFn(`${base}/redirect`, { redirect: "error" }), (error: Error) => error instanceof TypeError && error.message === "fetch failed");
    assert.equal((await fetchFn(`${base}/redirect`)).status, 302);
  });

  it("stops at the signal's timeout with the signal's reason", async () => {
    await assert.rejects(fetchFn(`${base}/slow`, { signal: AbortSignal.timeout(100) }), (error: Error) => error.name === "TimeoutError");
  });

  it("reports a refused connection as fetch does: TypeError('fetch failed') with the cause", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(fetchFn(`http://127.0.0.1:${port}/`), (error: Error & { cause?: { code?: string } }) => error instanceof TypeError && error.cause?.code === "ECONNREFUSED");
  });
});
