import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { createGateway, type Switchboard } from "../../src/switchboard.ts";
import { createLogger } from "../../src/core/log.ts";
import { adminHeaders, TEST_ADMIN_TOKEN, postJson, getJson, parseSse, tempDir } from "../helpers/gateway.ts";
import { coordinator, researcher } from "../fixtures/subagent-agents.ts";


describe("sub-agents exposed to the user", () => {
  const dir = tempDir();
  let gw: Switchboard;
  let url: string;

  async function start() {
    gw = createGateway({
      config: {
        store: `sqlite:${join(dir, "gw.db")}`,
        server: { port: 0 },
        defaultAgent: "coordinator",
        channels: { api: { type: "http" } },
        admin: { token: TEST_ADMIN_TOKEN },
      },
      log: createLogger({ level: "error" }),
    });
    gw.addAgent("coordinator", coordinator);
    gw.addAgent("researcher", researcher);
    await gw.start();
    url = gw.url!;
  }

  before(start);
  after(async () => {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let subagentId = "";
  let parentSession = "";
  let subSession = "";

  it("the parent's stream announces the exposed sub-agent, and the reply uses its answer", async () => {
    const response = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "ana", text: "research tides" }),
    });
    const frames = parseSse(await response.text());
    const exposed = frames.find((f) => f.event === "subagent.exposed");
    assert.ok(exposed, `no subagent.exposed in ${frames.map((f) => f.event).join(",")}`);
    assert.equal(exposed.data.agentId, "researcher");
    assert.equal(exposed.data.label, "Research");
    assert.ok(exposed.data.subagentId);
    assert.ok(exposed.data.sessionId);
    const done = frames.at(-1)!;
    assert.equal(done.event, "done");
    assert.equal(done.data.reply, "The researcher says: finding #1 on tides");
    subagentId = exposed.data.subagentId;
    parentSession = done.data.session;
    subSession = exposed.data.sessionId;
    assert.notEqual(subSession, parentSession);
  });

  it("the client talks to the sub-agent directly, and the parent's session is untouched", async () => {
    const direct = await postJson(`${url}/v1/subagents/${subagentId}/messages`, { user: "ana", text: "and currents?" });
    assert.equal(direct.status, 200, JSON.stringify(direct.body));
    assert.equal(direct.body.reply, "finding #2 on and currents?");
    assert.equal(direct.body.session, subSession);
    assert.equal(direct.body.agent, "researcher");

    const parent = await getJson(`${url}/v1/sessions/${parentSession}`, adminHeaders);
    assert.deepEqual(
      parent.body.transcript.map((e: { text: string }) => e.text),
      ["research tides", "The researcher says: finding #1 on tides"],
    );
    assert.deepEqual(parent.body.subagents.map((s: { id: string }) => s.id), [subagentId]);
  });

  it("streams from the sub-agent over SSE too", async () => {
    const response = await fetch(`${url}/v1/subagents/${subagentId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "ana", text: "waves" }),
    });
    const frames = parseSse(await response.text());
    assert.equal(frames.at(-1)!.data.reply, "finding #3 on waves");
  });

  it("another user cannot reach it, and an unknown id is 404", async () => {
    const other = await postJson(`${url}/v1/subagents/${subagentId}/messages`, { user: "mallory", text: "hi" });
    assert.equal(other.status, 404);
    const unknown = await postJson(`${url}/v1/subagents/nope/messages`, { user: "ana", text: "hi" });
    assert.equal(unknown.status, 404);
  });

  it("the programmatic API reaches it as well", async () => {
    const reply = await gw.sendToSubagent(subagentId, "sand", { user: "ana" });
    assert.equal(reply.reply, "finding #4 on sand");
    await assert.rejects(gw.sendToSubagent(subagentId, "sand", { user: "mallory" }), /no sub-agent/);
  });

  it("the exposure survives a restart", async () => {
    await gw.stop();
    await start();
    const direct = await postJson(`${url}/v1/subagents/${subagentId}/messages`, { user: "ana", text: "after restart" });
    assert.equal(direct.status, 200);
    assert.equal(direct.body.reply, "finding #5 on after restart");
  });

  it("a second delegation with the same label continues the same sub-session", async () => {
    const again = await postJson(`${url}/v1/messages`, { user: "ana", text: "research storms" });
    assert.equal(again.body.reply, "The researcher says: finding #6 on storms");
    const parent = await getJson(`${url}/v1/sessions/${parentSession}`, adminHeaders);
    assert.equal(parent.body.subagents.length, 1);
  });
});

describe("delegation under a concurrency cap of one", () => {
  it("does not deadlock: the sub-turn runs while the parent waits", async () => {
    const gw = createGateway({
      config: { store: "sqlite::memory:", lanes: { concurrency: 1 }, defaultAgent: "boss", channels: {} },
      listen: false,
      log: createLogger({ level: "error" }),
    });
    gw.addAgent("boss", async (input) => `boss: ${(await input.delegate({ agent: "worker", text: input.text })).reply}`);
    gw.addAgent("worker", async (input) => `worked on ${input.text}`);
    await gw.start();
    try {
      const reply = await gw.send({ user: "u" }, "the task");
      assert.equal(reply.reply, "boss: worked on the task");
    } finally {
      await gw.stop();
    }
  });

  it("delegating to an unknown agent fails the delegation, not the turn", async () => {
    const gw = createGateway({ config: { store: "sqlite::memory:", defaultAgent: "boss", channels: {} }, listen: false, log: createLogger({ level: "error" }) });
    gw.addAgent("boss", async (input) => {
      const result = await input.delegate({ agent: "ghost", text: "boo" });
      return `${result.status}: ${result.reply}`;
    });
    await gw.start();
    try {
      assert.equal((await gw.send({ user: "u" }, "go")).reply, 'failed: there is no agent "ghost"');
    } finally {
      await gw.stop();
    }
  });
});
