import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { adminHeaders, startGateway, postJson, getJson, waitFor, type TestGateway } from "../helpers/gateway.ts";

describe("sessions", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway({ session_ttl: "400ms" });
  });
  after(() => t.stop());

  for (const command of ["/new", "/reset"]) {
    it(`${command} starts a fresh session and says so`, async () => {
      const user = `reset-user${command}`;
      const a = await postJson(`${t.url}/v1/messages`, { user, text: "remember me" });
      const reset = await postJson(`${t.url}/v1/messages`, { user, text: command });
      assert.equal(reset.body.reply, "Started a new conversation.");
      assert.notEqual(reset.body.session, a.body.session);
      const b = await postJson(`${t.url}/v1/messages`, { user, text: "who am I?" });
      assert.equal(b.body.session, reset.body.session);
      const fresh = await getJson(`${t.url}/v1/sessions/${b.body.session}`, adminHeaders);
      assert.deepEqual(fresh.body.transcript.map((e: { text: string }) => e.text), ["who am I?", "who am I?"]);
      const old = await getJson(`${t.url}/v1/sessions/${a.body.session}`, adminHeaders);
      assert.equal(old.body.session.status, "ended");
    });
  }

  it("the TTL slides with activity", async () => {
    const first = await postJson(`${t.url}/v1/messages`, { user: "sliding", text: "0" });
    for (let i = 1; i <= 4; i++) {
      await sleep(150);
      const next = await postJson(`${t.url}/v1/messages`, { user: "sliding", text: String(i) });
      assert.equal(next.body.session, first.body.session, `message ${i} after ${i * 150} ms`);
    }
  });

  it("an idle session expires: the next message opens a new one, and eviction frees it", async () => {
    const a = await postJson(`${t.url}/v1/messages`, { user: "idle", text: "hello" });
    await sleep(500);
    const b = await postJson(`${t.url}/v1/messages`, { user: "idle", text: "hello again" });
    assert.notEqual(a.body.session, b.body.session);
    await sleep(500);
    const evicted = await t.gw.gateway.sweep();
    assert.ok(evicted.sessions >= 2, `evicted ${evicted.sessions}`);
    assert.equal((await getJson(`${t.url}/v1/sessions/${a.body.session}`, adminHeaders)).status, 404);
    assert.equal((await getJson(`${t.url}/v1/sessions/${b.body.session}`, adminHeaders)).status, 404);
  });
});

describe("what a turn loads for its agent", () => {
  const seen: Record<string, number[]> = { stateless: [], remembering: [] };
  const recorder = (id: keyof typeof seen, stateless: boolean) => ({
    id,
    kind: "function",
    stateless,
    async *run(input: { transcript: unknown[]; text: string }) {
      seen[id]!.push(input.transcript.length);
      yield { type: "message" as const, text: `ok ${input.text}` };
    },
  });
  let t: TestGateway;
  before(async () => {
    t = await startGateway({}, (gw) => {
      gw.addAgent(recorder("stateless", true));
      gw.addAgent(recorder("remembering", false));
    });
  });
  after(() => t.stop());

  it("a stateless agent is handed no transcript, yet the conversation is still recorded", async () => {
    for (const agent of ["stateless", "remembering"]) {
      let session = "";
      for (const text of ["one", "two", "three"]) {
        const reply = await postJson(`${t.url}/v1/messages`, { user: `loads-${agent}`, agent, text });
        assert.equal(reply.body.reply, `ok ${text}`);
        session = reply.body.session;
      }
      const stored = await getJson(`${t.url}/v1/sessions/${session}`, adminHeaders);
      assert.equal(stored.body.transcript.length, 6, `${agent}: every exchange is in the session's transcript`);
    }
    assert.deepEqual(seen["stateless"], [0, 0, 0]);
    assert.deepEqual(seen["remembering"], [0, 2, 4]);
  });
});

/** An agent that holds each turn until the test releases it, and records what each turn saw. */
function gatedAgent() {
  const seen: string[][] = [];
  const gates: Array<() => void> = [];
  let started = 0;
  return {
    seen,
    get started() {
      return started;
    },
    release: () => gates.shift()?.(),
    agent: async function* (input: { messages: Array<{ text: string }>; signal: AbortSignal }) {
      started++;
      seen.push(input.messages.map((m) => m.text));
      await new Promise<void>((resolve) => {
        gates.push(resolve);
        input.signal.addEventListener("abort", () => {
          gates.splice(gates.indexOf(resolve), 1);
          resolve();
        });
      });
      yield { type: "text.delta" as const, text: "partial " };
      yield { type: "message" as const, text: `done: ${input.messages.map((m) => m.text).join("+")}` };
    },
  };
}

describe("busy policies", () => {
  it("queue (default): each message gets its own turn, in order", async () => {
    const gate = gatedAgent();
    const t = await startGateway({ defaultAgent: "gated", agents: {} }, (gw) => gw.addAgent("gated", gate.agent));
    try {
      const replies = ["a", "b", "c"].map((text, i) => postJson(`${t.url}/v1/messages`, { user: "q", text, id: `q${i}` }));
      await waitFor(() => gate.started === 1);
      for (let i = 0; i < 3; i++) {
        await waitFor(() => gate.started === i + 1);
        gate.release();
      }
      const bodies = (await Promise.all(replies)).map((r) => r.body.reply);
      assert.deepEqual(bodies, ["done: a", "done: b", "done: c"]);
      assert.deepEqual(gate.seen, [["a"], ["b"], ["c"]]);
    } finally {
      await t.stop();
    }
  });

  it("collect: messages queued behind a running turn are merged into one turn", async () => {
    const gate = gatedAgent();
    const t = await startGateway({ defaultAgent: "gated", agents: {}, lanes: { busy: "collect" } }, (gw) => gw.addAgent("gated", gate.agent));
    try {
      const first = postJson(`${t.url}/v1/messages`, { user: "c", text: "first" });
      await waitFor(() => gate.started === 1);
      for (const text of ["second", "third", "fourth"]) {
        assert.equal((await postJson(`${t.url}/v1/messages`, { user: "c", text }, { prefer: "respond-async" })).status, 202);
      }
      gate.release();
      await waitFor(() => gate.started === 2);
      gate.release();
      assert.equal((await first).body.reply, "done: first");
      assert.deepEqual(gate.seen, [["first"], ["second", "third", "fourth"]]);
    } finally {
      await t.stop();
    }
  });

  it("interrupt: a new message aborts the running turn and starts on the new one", async () => {
    const gate = gatedAgent();
    const t2 = await startGateway({ defaultAgent: "gated", agents: {}, lanes: { busy: "interrupt" } }, (gw) => gw.addAgent("gated", gate.agent));
    try {
      const first = postJson(`${t2.url}/v1/messages`, { user: "i", text: "long task" });
      await waitFor(() => gate.started === 1);
      const second = postJson(`${t2.url}/v1/messages`, { user: "i", text: "never mind" });
      await waitFor(() => gate.started === 2, { what: "the second turn" });
      gate.release();
      const [a, b] = await Promise.all([first, second]);
      assert.equal(a.body.status, "interrupted");
      assert.equal(b.body.status, "done");
      assert.equal(b.body.reply, "done: never mind");
    } finally {
      await t2.stop();
    }
  });

  it("a turn that hangs is cut by the timeout, the user is told, and the session moves on", async () => {
    let calls = 0;
    const t = await startGateway({ defaultAgent: "hang", agents: {}, lanes: { turnTimeout: "300ms" } }, (gw) =>
      gw.addAgent("hang", async (input) => {
        calls++;
        if (input.text === "hang") await new Promise(() => {}); // ignores the abort signal too
        return "fine";
      }),
    );
    try {
      const hung = await postJson(`${t.url}/v1/messages`, { user: "h", text: "hang" });
      assert.equal(hung.body.status, "failed");
      assert.match(hung.body.reply, /took longer than/);
      const next = await postJson(`${t.url}/v1/messages`, { user: "h", text: "next" });
      assert.equal(next.body.reply, "fine");
      assert.equal(next.body.session, hung.body.session);
      assert.equal(calls, 2);
    } finally {
      await t.stop();
    }
  });

  it("a full session queue refuses with 429 instead of dropping silently", async () => {
    const gate = gatedAgent();
    const t = await startGateway({ defaultAgent: "gated", agents: {}, lanes: { maxPendingPerSession: 2 } }, (gw) => gw.addAgent("gated", gate.agent));
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await postJson(`${t.url}/v1/messages`, { user: "full", text: `m${i}` }, { prefer: "respond-async" })).status);
      assert.deepEqual(statuses, [202, 202, 429]);
      gate.release();
      await waitFor(() => gate.started === 2);
      gate.release();
    } finally {
      await t.stop();
    }
  });

  it("an agent that fails answers with an apology, not its error text", async () => {
    const t = await startGateway({ defaultAgent: "broken", agents: {} }, (gw) =>
      gw.addAgent("broken", async () => {
        throw new Error("db password=hunter2 rejected");
      }),
    );
    try {
      const res = await postJson(`${t.url}/v1/messages`, { user: "b", text: "hi" });
      assert.equal(res.body.status, "failed");
      assert.doesNotMatch(res.body.reply, /hunter2/);
      assert.match(res.body.reply, /could not answer/);
    } finally {
      await t.stop();
    }
  });
});
