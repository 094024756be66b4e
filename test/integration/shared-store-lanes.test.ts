/**
 * Two gateways in one process, sharing a Redis store: messages of one conversation arrive at
 * both, and the session's turns still run one at a time, in arrival order, each once. The lane
 * moves between the gateways; a message accepted by one while the other held the lane is not
 * stranded.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Agent, AgentEvent, TurnInput } from "../../src/core/agent.ts";
import { deleteKeysUnder, uniquePrefix } from "../helpers/cluster/redis-keys.ts";
import { adminHeaders, getJson, parseSse, postJson, startGateway, waitFor, type TestGateway } from "../helpers/gateway.ts";

const REDIS = "redis://127.0.0.1:6379";

interface Turn {
  gateway: string;
  texts: string[];
  start: number;
  end: number;
}

/** Records every turn it runs, as the gateway named `gateway`; takes a few ms per turn, or 400 ms on "slow". */
function recordingAgent(gateway: string, turns: Turn[]): Agent {
  return {
    id: "recorder",
    kind: "test",
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      const turn: Turn = { gateway, texts: input.messages.map((m) => m.text), start: performance.now(), end: 0 };
      const slow = turn.texts.some((text) => text.includes("slow"));
      await new Promise((resolve) => setTimeout(resolve, slow ? 400 : 5 + Math.random() * 15));
      turn.end = performance.now();
      turns.push(turn);
      yield { type: "message", text: `ack ${turn.texts.join("+")}` };
    },
  };
}

describe("lanes across gateways on a shared store", () => {
  const prefix = uniquePrefix("lanes");
  const turns: Turn[] = [];
  const gateways: TestGateway[] = [];

  after(async () => {
    for (const gateway of gateways) await gateway.stop();
    await deleteKeysUnder(prefix);
  });

  it("runs one session's turns one at a time, in order, each once, whichever gateway took the message", async () => {
    for (const name of ["a", "b"]) {
      gateways.push(
        await startGateway({ store: `${REDIS}/0?prefix=${prefix}`, defaultAgent: "recorder", agents: {}, lanes: { leaseTtl: 2000 } }, (gw) => gw.addAgent(recordingAgent(name, turns))),
      );
    }
    const count = 40;
    let session = "";
    for (let i = 0; i < count; i++) {
      // Alternate gateways, and sometimes wait a little, so the lane is sometimes held by the
      // other gateway and sometimes free when a message arrives.
      const gateway = gateways[i % 2]!;
      const res = await postJson(`${gateway.url}/v1/messages`, { user: "shared-user", text: `m${i}`, id: `e${i}` }, { prefer: "respond-async" });
      assert.equal(res.status, 202);
      session ||= res.body.session;
      assert.equal(res.body.session, session, "one conversation, one session");
      if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const transcript = await waitFor(async () => {
      const res = await getJson(`${gateways[0]!.url}/v1/sessions/${session}`, adminHeaders);
      const entries = res.body.transcript as Array<{ role: string; text: string }>;
      return entries.filter((e) => e.role === "assistant").length === count ? entries : undefined;
    }, { timeoutMs: 20_000, what: "every message to be answered" });

    const seen = turns.flatMap((t) => t.texts);
    assert.deepEqual(seen, Array.from({ length: count }, (_, i) => `m${i}`), "each message ran once, in arrival order");
    const byStart = [...turns].sort((x, y) => x.start - y.start);
    for (let i = 1; i < byStart.length; i++) {
      assert.ok(byStart[i]!.start >= byStart[i - 1]!.end, `turns ${byStart[i - 1]!.texts} (${byStart[i - 1]!.gateway}) and ${byStart[i]!.texts} (${byStart[i]!.gateway}) overlapped`);
    }
    assert.deepEqual(
      transcript.filter((e) => e.role === "assistant").map((e) => e.text),
      Array.from({ length: count }, (_, i) => `ack m${i}`),
    );
    assert.ok(new Set(turns.map((t) => t.gateway)).size === 2, `both gateways ran turns of the session: ${turns.map((t) => t.gateway).join("")}`);
  });

  it("a client waiting on one gateway gets the answer of a turn the other gateway ran", async () => {
    const [a, b] = gateways as [TestGateway, TestGateway];
    turns.length = 0;
    const first = await postJson(`${b.url}/v1/messages`, { user: "waiting-user", text: "slow start" }, { prefer: "respond-async" });
    assert.equal(first.status, 202);
    // b took the session's lane on accepting (within a millisecond or two) and holds it for its
    // 400 ms turn and the turns queued behind it; a's clients wait for what b answers.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [json, sse] = await Promise.all([
      postJson(`${a.url}/v1/messages`, { user: "waiting-user", text: "json follow-up" }),
      fetch(`${a.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ user: "waiting-user", text: "sse follow-up" }),
      }).then((res) => res.text()),
    ]);
    assert.equal(json.status, 200);
    assert.equal(json.body.reply, "ack json follow-up");
    assert.equal(json.body.session, first.body.session);
    const frames = parseSse(sse);
    assert.deepEqual(frames.at(-1)?.data?.reply, "ack sse follow-up");
    assert.ok(frames.some((f) => f.event === "message" || f.data?.type === "message"), `the streamed events crossed: ${frames.map((f) => f.event).join(",")}`);
    assert.deepEqual(turns.map((t) => t.gateway), ["b", "b", "b"], "b ran every turn: it held the lane throughout");
  });

  it("the interrupt busy policy stops a turn running on the other gateway", async () => {
    const interrupting: TestGateway[] = [];
    for (const name of ["c", "d"]) {
      const config = { store: `${REDIS}/0?prefix=${prefix}i:`, defaultAgent: "recorder", agents: {}, lanes: { leaseTtl: 2000, busy: "interrupt" as const } };
      interrupting.push(await startGateway(config, (gw) => gw.addAgent(recordingAgent(name, turns))));
    }
    gateways.push(...interrupting);
    const [c, d] = interrupting as [TestGateway, TestGateway];
    const slow = postJson(`${c.url}/v1/messages`, { user: "impatient-user", text: "slow question" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    const quick = await postJson(`${d.url}/v1/messages`, { user: "impatient-user", text: "never mind" });
    assert.equal((await slow).body.status, "interrupted", "the slow turn on c was cut short");
    assert.equal(quick.body.reply, "ack never mind");
    assert.ok(performance.now() - started < 350, "the new message did not wait for the slow turn to end");
  });
});
