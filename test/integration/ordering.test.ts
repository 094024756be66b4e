import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { adminHeaders, startGateway, postJson, getJson, waitFor, type TestGateway } from "../helpers/gateway.ts";

interface TurnRecord {
  session: string;
  text: string;
  start: number;
  end: number;
}

describe("ordering: 200 messages over 20 sessions, sent concurrently", () => {
  let t: TestGateway;
  const turns: TurnRecord[] = [];
  before(async () => {
    t = await startGateway({ defaultAgent: "recorder", agents: {}, lanes: { concurrency: 8 } }, (gw) =>
      gw.addAgent("recorder", async (input) => {
        const start = performance.now();
        await sleep(Math.random() * 4);
        const end = performance.now();
        turns.push({ session: input.sessionId, text: input.text, start, end });
        return `reply to ${input.text}`;
      }),
    );
  });
  after(() => t.stop());

  it("answers each session in its send order, never two turns of one session at once", async () => {
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const perUser = 10;
    // Each user sends in order (awaiting the durable accept), all users at the same time.
    const sessions = new Map<string, string>();
    await Promise.all(
      users.map(async (user) => {
        for (let n = 0; n < perUser; n++) {
          const res = await postJson(`${t.url}/v1/messages`, { user, text: `${user} #${n}`, id: `${user}-${n}` }, { prefer: "respond-async" });
          assert.equal(res.status, 202);
          sessions.set(user, res.body.session);
        }
      }),
    );
    await waitFor(() => turns.length === users.length * perUser, { what: "all turns", timeoutMs: 30_000 });

    // Replies come back (in the transcript) in send order.
    for (const user of users) {
      const shown = await getJson(`${t.url}/v1/sessions/${sessions.get(user)}`, adminHeaders);
      const replies = shown.body.transcript.filter((e: { role: string }) => e.role === "assistant").map((e: { text: string }) => e.text);
      assert.deepEqual(replies, Array.from({ length: perUser }, (_, n) => `reply to ${user} #${n}`));
    }
    // No session ran two turns at once: each session's turns are disjoint in time and in order.
    const bySession = Map.groupBy(turns, (turn) => turn.session);
    assert.equal(bySession.size, users.length);
    for (const [session, list] of bySession) {
      for (let i = 1; i < list.length; i++) {
        assert.ok(list[i]!.start >= list[i - 1]!.end, `session ${session} overlapped: ${list[i - 1]!.text} and ${list[i]!.text}`);
      }
    }
    // Sessions did run in parallel: some turns of different sessions overlapped.
    const sorted = [...turns].sort((a, b) => a.start - b.start);
    const overlapping = sorted.some((turn, i) => i > 0 && turn.start < sorted[i - 1]!.end);
    assert.ok(overlapping, "expected sessions to run concurrently");
  });
});
