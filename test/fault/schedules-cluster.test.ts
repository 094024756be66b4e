/**
 * Exactly once across gateways: two `switchboard start` processes on one Redis run 20 schedules
 * every 5 s; one is killed with -9 part-way. Every slot in the window has exactly one run record,
 * every delivered run reached the receiver exactly once (one callback per run, repeats of a
 * callback only as retries of the same idempotency key), and the runs the dead gateway held were
 * taken over, not lost. (The 20 schedules × 1 min × 5 min, on a 5 s clock.)
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tempDir, waitFor } from "../helpers/gateway.ts";
import { startGatewayCluster, webhookGatewayConfig, type GatewayCluster } from "../helpers/cluster/gateways.ts";
import { deleteKeysUnder, redisStoreUrl, uniquePrefix } from "../helpers/cluster/redis-keys.ts";
import { startReplyReceiver, type ReplyReceiver } from "../helpers/cluster/reply-receiver.ts";
import { ackText, startRecordingAgent, type RecordingAgent } from "../helpers/cluster/recording-agent.ts";

const SCHEDULES = 20;
const EVERY_MS = 5_000;
/** g1 is killed this long after a slot fired, while its runs of that slot are mid-turn. */
const KILL_INTO_SLOT_MS = 600;
const RUN_FOR_MS = 40_000;

interface Run {
  slot: string;
  slotAt: number;
  status: string;
  attempts: number;
  sessionId?: string;
  reason?: string;
}

describe("schedules on two gateways sharing Redis, one killed", () => {
  let dir: string;
  let receiver: ReplyReceiver;
  let cluster: GatewayCluster | undefined;
  let agent: RecordingAgent;
  const prefix = uniquePrefix("schedules");

  before(async () => {
    dir = tempDir("switchboard-schedules-cluster-");
    receiver = await startReplyReceiver();
    // Slow enough that a kill right after a slot catches runs mid-turn.
    agent = await startRecordingAgent({ minDelayMs: 1_500, maxDelayMs: 2_000 });
    const store = redisStoreUrl(prefix);
    const schedules = Array.from({ length: SCHEDULES }, (_, i) => ({
      name: `s${i}`,
      every: `${EVERY_MS / 1000}s`,
      agent: "agent",
      instruction: `report ${i}`,
      target: { channel: "hook", to: `room-${i}` },
    }));
    cluster = await startGatewayCluster({
      dir,
      size: 2,
      config: (instance) => ({
        ...webhookGatewayConfig({ instance, store, agent: { kind: "http", url: agent.url }, callbackUrl: receiver.url, lanes: { leaseTtl: "1s" } }),
        // Both instances share the admin token file and the master key from the environment.
        schedules,
      }),
    });
  });
  after(async () => {
    await cluster?.stop();
    await receiver.close();
    await agent.close();
    await deleteKeysUnder(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it("fires every slot exactly once, and a dead gateway's runs are taken over without a second reply", async () => {
    const started = Date.now();
    const killAt = Math.ceil((started + 10_000) / EVERY_MS) * EVERY_MS + KILL_INTO_SLOT_MS;
    await new Promise((r) => setTimeout(r, killAt - Date.now()));
    await cluster!.kill("g1");
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, started + RUN_FOR_MS - Date.now()));
    const survivor = cluster!.instances.find((i) => i.name === "g2")!;
    const token = readFileSync(join(dir, ".switchboard", "admin-token"), "utf8").trim();
    const admin = { authorization: `Bearer ${token}` };
    // Stop new slots, then let the runs in flight finish, so every run is counted in its final state.
    for (let i = 0; i < SCHEDULES; i++) assert.equal((await fetch(`${survivor.url}/v1/schedules/s${i}/pause`, { method: "POST", headers: admin })).status, 200);
    await waitFor(
      async () => {
        for (let i = 0; i < SCHEDULES; i++) {
          const runs = ((await (await fetch(`${survivor.url}/v1/schedules/s${i}/runs`, { headers: admin })).json()) as { runs: Run[] }).runs;
          if (runs.some((r) => r.status === "started" || r.status === "finished" || r.status === "queued")) return undefined;
        }
        return true;
      },
      { what: "the runs in flight to end", timeoutMs: 20_000 },
    );

    let delivered = 0;
    let takenOver = 0;
    for (let i = 0; i < SCHEDULES; i++) {
      const response = await fetch(`${survivor.url}/v1/schedules/s${i}/runs`, { headers: admin });
      assert.equal(response.status, 200);
      const runs = ((await response.json()) as { runs: Run[] }).runs;
      // Slots strictly inside the window: from the first whole slot after the start to the last one well before the end.
      const from = Math.ceil((started + 1_000) / EVERY_MS) * EVERY_MS;
      const to = Math.floor((started + RUN_FOR_MS - 2_000) / EVERY_MS) * EVERY_MS;
      for (let slotAt = from; slotAt <= to; slotAt += EVERY_MS) {
        const records = runs.filter((r) => r.slotAt === slotAt);
        assert.equal(records.length, 1, `s${i} slot ${new Date(slotAt).toISOString()}: ${records.length} run records`);
        const run = records[0]!;
        assert.ok(run.status === "delivered" || (run.status === "skipped" && run.reason === "overlap"), `s${i} ${run.slot}: ${run.status} ${run.reason ?? ""}`);
      }
      const deliveredRuns = runs.filter((r) => r.status === "delivered");
      delivered += deliveredRuns.length;
      takenOver += deliveredRuns.filter((r) => r.attempts > 1).length;
      const callbacks = [...receiver.distinct.values()].filter((d) => d.sessionId === deliveredRuns[0]?.sessionId);
      assert.equal(callbacks.length, deliveredRuns.length, `s${i}: ${callbacks.length} distinct callbacks for ${deliveredRuns.length} delivered runs`);
      assert.ok(callbacks.every((c) => c.text === ackText([`report ${i}`])), JSON.stringify(callbacks.map((c) => c.text)));
    }
    console.log(`# ${delivered} runs delivered by 2 gateways (g1 killed at +${killedAt - started} ms); ${takenOver} taken over from g1; ${receiver.deliveries.length - receiver.distinct.size} callback retries`);
    assert.ok(delivered >= SCHEDULES * Math.floor((RUN_FOR_MS - 4_000) / EVERY_MS) - SCHEDULES, `only ${delivered} runs delivered`);
    assert.ok(takenOver > 0, "the kill caught runs mid-turn, and they were taken over");
  });
});
