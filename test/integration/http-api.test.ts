import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { adminHeaders, startGateway, postJson, getJson, parseSse, waitFor, type TestGateway } from "../helpers/gateway.ts";
import { connect } from "node:net";
import { once } from "node:events";

describe("HTTP API", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway({ server: { bodyLimit: "2kb" }, agents: { helper: { kind: "echo", prefix: "echo: " } } });
  });
  after(() => t.stop());

  it("POST /v1/messages answers with the agent's reply as JSON", async () => {
    const res = await postJson(`${t.url}/v1/messages`, { user: "alice", text: "hello there" });
    assert.equal(res.status, 200);
    assert.equal(res.body.reply, "echo: hello there");
    assert.equal(res.body.status, "done");
    assert.equal(res.body.agent, "helper");
    assert.match(res.body.session, /^[0-9a-f-]{36}$/);
  });

  it("the same user continues the same session; another user gets another", async () => {
    const a1 = await postJson(`${t.url}/v1/messages`, { user: "bob", text: "one" });
    const a2 = await postJson(`${t.url}/v1/messages`, { user: "bob", text: "two" });
    const c = await postJson(`${t.url}/v1/messages`, { user: "carol", text: "one" });
    assert.equal(a1.body.session, a2.body.session);
    assert.notEqual(a1.body.session, c.body.session);
    const shown = await getJson(`${t.url}/v1/sessions/${a1.body.session}`, adminHeaders);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.session.userId, "bob");
    assert.deepEqual(
      shown.body.transcript.map((e: { role: string; text: string }) => `${e.role}:${e.text}`),
      ["user:one", "assistant:echo: one", "user:two", "assistant:echo: two"],
    );
  });

  it("streams events as SSE when the request accepts text/event-stream", async () => {
    const response = await fetch(`${t.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "sse-user", text: "stream these words" }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const frames = parseSse(await response.text());
    const types = frames.map((f) => f.event);
    assert.equal(types[0], "accepted");
    assert.equal(types.at(-1), "done");
    const deltas = frames.filter((f) => f.event === "text.delta").map((f) => f.data.text);
    assert.ok(deltas.length >= 3, `expected several deltas, got ${deltas.length}`);
    assert.equal(deltas.join(""), "echo: stream these words");
    assert.equal(frames.at(-1)!.data.reply, "echo: stream these words");
  });

  it("Prefer: respond-async answers 202 after the durable accept", async () => {
    const res = await postJson(`${t.url}/v1/messages`, { user: "async-user", text: "later", id: "async-1" }, { prefer: "respond-async" });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, "accepted");
    assert.equal(res.body.id, "async-1");
  });

  it("lists sessions, filtered by user", async () => {
    await postJson(`${t.url}/v1/messages`, { user: "dave", text: "hi" });
    const all = await getJson(`${t.url}/v1/sessions`, adminHeaders);
    assert.ok(all.body.sessions.length >= 2);
    const dave = await getJson(`${t.url}/v1/sessions?user=dave`, adminHeaders);
    assert.equal(dave.body.sessions.length, 1);
    assert.equal(dave.body.sessions[0].userId, "dave");
  });

  it("a caller cannot continue another user's session", async () => {
    const a = await postJson(`${t.url}/v1/messages`, { user: "erin", text: "mine" });
    const b = await postJson(`${t.url}/v1/messages`, { user: "mallory", text: "let me in", session: a.body.session });
    assert.equal(b.status, 403);
    assert.match(b.body.error, /another user/);
  });

  it("the WebSocket API sends messages and streams the same events", async () => {
    const ws = new WebSocket(`${t.url.replace("http", "ws")}/v1/ws`);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const events: any[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on("message", (data) => {
        const event = JSON.parse(data.toString());
        events.push(event);
        if (event.type === "done" || event.type === "rejected") resolve();
      }),
    );
    ws.send(JSON.stringify({ type: "message", user: "ws-user", text: "over the socket", id: "ws-1" }));
    await done;
    ws.close();
    assert.equal(events[0].type, "accepted");
    assert.ok(events.every((e) => e.id === "ws-1"));
    assert.equal(events.filter((e) => e.type === "text.delta").map((e) => e.text).join(""), "echo: over the socket");
    assert.equal(events.at(-1).reply, "echo: over the socket");
  });

  describe("bad input gets a 4xx with a reason", () => {
    it("malformed JSON → 400", async () => {
      const res = await postJson(`${t.url}/v1/messages`, "{not json");
      assert.equal(res.status, 400);
      assert.match(res.body.error, /malformed JSON/);
    });
    it("a wrong content type → 415", async () => {
      const res = await fetch(`${t.url}/v1/messages`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
      assert.equal(res.status, 415);
      assert.match(((await res.json()) as { error: string }).error, /application\/json/);
    });
    it("a body over the limit → 413", async () => {
      const res = await postJson(`${t.url}/v1/messages`, { user: "big", text: "x".repeat(5000) });
      assert.equal(res.status, 413);
      assert.match(res.body.error, /limit/);
    });
    it("a body over the limit without a content-length → 413", async () => {
      const chunks = [JSON.stringify({ user: "big", text: "" }).slice(0, -2), "x".repeat(4000), '"}'];
      const body = new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      });
      const res = await fetch(`${t.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
      assert.equal(res.status, 413);
    });
    it("a missing field → 400 naming it", async () => {
      const res = await postJson(`${t.url}/v1/messages`, { user: "u" });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, "text: required");
    });
    it("an unknown field → 400", async () => {
      const res = await postJson(`${t.url}/v1/messages`, { user: "u", text: "t", colour: "red" });
      assert.equal(res.status, 400);
      assert.match(res.body.error, /colour/);
    });
    it("an unknown agent → 400", async () => {
      const res = await postJson(`${t.url}/v1/messages`, { user: "u", text: "t", agent: "nobody" });
      assert.equal(res.status, 400);
      assert.match(res.body.error, /unknown agent "nobody"/);
    });
    it("unknown routes → 404", async () => {
      for (const path of ["/nope", "/v1/nope", "/channels/missing", "/v1/sessions/does-not-exist"]) {
        const res = await fetch(`${t.url}${path}`, { headers: adminHeaders });
        assert.equal(res.status, 404, path);
        assert.ok(((await res.json()) as { error: string }).error, path);
      }
    });
    it("the wrong method → 405", async () => {
      const res = await fetch(`${t.url}/v1/messages`);
      assert.equal(res.status, 405);
    });
    it("after all of that the process still serves", async () => {
      assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
      const ready = await getJson(`${t.url}/readyz`);
      assert.equal(ready.body.status, "ready");
    });
  });
});

describe("HTTP API with a channel key", () => {
  let t: TestGateway;
  const key = "k".repeat(32);
  before(async () => {
    t = await startGateway({ channels: { api: { type: "http", key } } });
  });
  after(() => t.stop());

  it("refuses callers without the key, on messages and the WebSocket", async () => {
    assert.equal((await postJson(`${t.url}/v1/messages`, { user: "u", text: "t" })).status, 401);
    assert.equal((await postJson(`${t.url}/v1/messages`, { user: "u", text: "t" }, { authorization: "Bearer wrong" })).status, 401);
    const ws = new WebSocket(`${t.url.replace("http", "ws")}/v1/ws`);
    const status = await new Promise<number>((resolve) => ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)).on("error", () => resolve(-1)));
    assert.equal(status, 401);
  });

  it("serves callers with the key, on the message API only: the management API wants the admin token", async () => {
    const res = await postJson(`${t.url}/v1/messages`, { user: "u", text: "t" }, { authorization: `Bearer ${key}` });
    assert.equal(res.status, 200);
    assert.equal(res.body.reply, "t");
    assert.equal((await fetch(`${t.url}/v1/sessions`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
    assert.equal((await fetch(`${t.url}/v1/sessions`, { headers: { "x-switchboard-key": key } })).status, 401);
  });
});

describe("a body refused before it was read", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway();
  });
  after(() => t.stop());

  it("reads and drops the rest of a refused body, so the next request on the kept-alive socket is answered", async () => {
    const { port } = new URL(t.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const big = "x".repeat(2 * 1024 * 1024);
    // Two requests pipelined on one socket: the first one's body is over the limit.
    socket.write(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`);
    socket.write(big);
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor(() => (/HTTP\/1\.1 200 /.test(received) ? true : undefined), { what: "the second request's answer" });
    socket.destroy();
    assert.match(received, /^HTTP\/1\.1 413 /);
    // The second request was not read from the middle of the first one's body.
    assert.doesNotMatch(received, /HTTP\/1\.1 400/);
    const next = await fetch(`${t.url}/healthz`);
    assert.equal(next.status, 200);
  });
});
