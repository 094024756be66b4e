import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import express from "express";
import WebSocket, { WebSocketServer } from "ws";
import { createGateway, type Switchboard } from "../../src/switchboard.ts";
import { createLogger } from "../../src/core/log.ts";
import { getJson, parseSse, postJson, tempDir } from "../helpers/gateway.ts";

function embeddedGateway(dir: string): Switchboard {
  return createGateway({
    config: {
      store: `sqlite:${join(dir, "mounted.db")}`,
      agents: { helper: { kind: "echo" } },
      defaultAgent: "helper",
      channels: { api: { type: "http" } },
    },
    listen: false,
    log: createLogger({ level: "error" }),
  });
}

async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Connect and report what happened: the first message, a plain open, or the refusal. */
function probeWebSocket(url: string): Promise<string> {
  const ws = new WebSocket(url);
  return new Promise<string>((resolve) => {
    ws.once("message", (data) => resolve(`message: ${data.toString()}`));
    ws.once("open", () => setTimeout(() => resolve("open"), 200));
    ws.once("unexpected-response", (_request, response) => resolve(`status ${response.statusCode}`));
    ws.once("error", (error) => resolve(`error: ${error.message}`));
    setTimeout(() => resolve("no answer"), 1000);
  }).finally(() => ws.terminate());
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe("mounted in Express 5 under /gateway", () => {
  let dir: string;
  let gw: Switchboard;
  let server: Server;
  let url: string;
  const upgraded = new Set<Duplex>();

  before(async () => {
    dir = tempDir();
    gw = embeddedGateway(dir);
    await gw.start();
    const app = express();
    app.get("/hello", (_req, res) => {
      res.json({ from: "express" });
    });
    app.use("/gateway", gw.nodeListener());
    server = createServer(app);
    gw.attachUpgrades(server, { prefix: "/gateway" });
    // The host app's own WebSocket endpoint, outside the gateway's prefix.
    const live = new WebSocketServer({ noServer: true });
    server.on("upgrade", (request, socket, head) => {
      if (request.url === "/live") live.handleUpgrade(request, socket, head, (ws) => ws.send("host says hi"));
    });
    // Upgrades that no handler takes are the host's to clean up, so closing the server never waits on them.
    server.on("upgrade", (_request, socket) => upgraded.add(socket));
    url = await listenOn(server);
  });

  after(async () => {
    for (const socket of upgraded) socket.destroy();
    await close(server);
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens no port of its own", () => {
    assert.equal(gw.url, undefined);
  });

  it("POST /gateway/v1/messages answers with the agent's reply", async () => {
    const res = await postJson(`${url}/gateway/v1/messages`, { user: "alice", text: "hello from express" });
    assert.equal(res.status, 200);
    assert.equal(res.body.reply, "hello from express");
    assert.equal(res.body.status, "done");
  });

  it("GET /gateway/healthz is 200", async () => {
    const res = await getJson(`${url}/gateway/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, "ok");
  });

  it("streams SSE through Express", async () => {
    const response = await fetch(`${url}/gateway/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "sse", text: "one two three" }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const frames = parseSse(await response.text());
    assert.equal(frames[0]?.event, "accepted");
    assert.equal(frames.at(-1)?.event, "done");
    assert.equal(frames.filter((f) => f.event === "text.delta").map((f) => f.data.text).join(""), "one two three");
  });

  it("Express routes outside the prefix still work", async () => {
    const res = await getJson(`${url}/hello`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { from: "express" });
    const healthOutside = await fetch(`${url}/healthz`);
    assert.equal(healthOutside.status, 404, "the gateway answers only under its prefix");
  });

  it("the WebSocket API works at /gateway/v1/ws", async () => {
    const ws = new WebSocket(`${url.replace("http", "ws")}/gateway/v1/ws`);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const events: any[] = [];
    const finished = new Promise<void>((resolve) =>
      ws.on("message", (data) => {
        const event = JSON.parse(data.toString());
        events.push(event);
        if (event.type === "done" || event.type === "rejected") resolve();
      }),
    );
    ws.send(JSON.stringify({ type: "message", user: "ws-user", text: "through the mount", id: "mount-ws-1" }));
    await finished;
    ws.close();
    assert.equal(events.at(-1).type, "done");
    assert.equal(events.at(-1).reply, "through the mount");
    assert.ok(events.every((e) => e.id === "mount-ws-1"));
  });

  it("the gateway takes no WebSocket outside its prefix", async () => {
    for (const path of ["/elsewhere/v1/ws", "/v1/ws"]) {
      assert.notEqual(await probeWebSocket(`${url.replace("http", "ws")}${path}`), "open", path);
    }
  });

  it("the host app's own WebSocket endpoint keeps working next to the gateway's", async () => {
    assert.equal(await probeWebSocket(`${url.replace("http", "ws")}/live`), "message: host says hi");
  });

  it("the fetch handler answers a Request directly", async () => {
    const response = await gw.fetch(
      new Request("http://x/v1/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: "u", text: "hi" }),
      }),
    );
    assert.equal(response.status, 200);
    const body = (await response.json()) as { reply: string; status: string };
    assert.equal(body.reply, "hi");
    assert.equal(body.status, "done");
  });
});

describe("nodeListener with a prefix on a bare node:http server", () => {
  let dir: string;
  let gw: Switchboard;
  let server: Server;
  let url: string;

  before(async () => {
    dir = tempDir();
    gw = embeddedGateway(dir);
    await gw.start();
    server = createServer(gw.nodeListener({ prefix: "/gw" }));
    url = await listenOn(server);
  });

  after(async () => {
    await close(server);
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves /gw/healthz", async () => {
    const res = await getJson(`${url}/gw/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, "ok");
  });

  it("serves the API under the prefix", async () => {
    const res = await postJson(`${url}/gw/v1/messages`, { user: "bare", text: "plain node" });
    assert.equal(res.status, 200);
    assert.equal(res.body.reply, "plain node");
  });

  it("answers 404 outside the prefix", async () => {
    for (const path of ["/healthz", "/v1/messages", "/gwx/healthz", "/"]) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 404, path);
      assert.ok(((await res.json()) as { error: string }).error, path);
    }
  });
});
