/**
 * Three gateway processes share the real Redis behind a round-robin proxy; 5,000 messages over
 * 300 sessions go in, and one instance is killed with -9 when 40% are accepted. The recording
 * agent's timestamps, the callbacks and the accepts must then show: every message answered
 * exactly once, each session's messages handled in send order, and never two turns of one
 * session at the same time, even while the killed instance's sessions are taken over.
 *
 * On failure, or with KEEP_CLUSTER_RECORDS=1, the records (turns, callbacks, accepts, gateway
 * logs) stay in the temp dir printed at the end.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay, type ELDHistogram } from "node:perf_hooks";
import { tempDir } from "../helpers/gateway.ts";
import { now } from "../helpers/cluster/clock.ts";
import { startGatewayCluster, webhookGatewayConfig, WEBHOOK_CHANNEL, WEBHOOK_KEY, type GatewayCluster } from "../helpers/cluster/gateways.ts";
import { startRecordingAgent, type RecordingAgent, type TurnRecord } from "../helpers/cluster/recording-agent.ts";
import { deleteKeysUnder, redisStoreUrl, uniquePrefix } from "../helpers/cluster/redis-keys.ts";
import { startReplyReceiver, type ReplyReceiver } from "../helpers/cluster/reply-receiver.ts";
import { startRoundRobinProxy, type RoundRobinProxy } from "../helpers/cluster/round-robin-proxy.ts";
import { planConversations, sendConversations, type SendRecord } from "../helpers/cluster/sender.ts";
import { answerProblems, orderProblems, overlapProblems, rerunProblems, takeovers } from "../helpers/cluster/verdict.ts";

const MESSAGES = 5_000;
const SESSIONS = 300;
const INSTANCES = 3;
const VICTIM = "g2";
const KILL_AFTER_ACCEPTED = Math.round(MESSAGES * 0.4);
/** Long enough for a lease of the killed instance (leaseTtl 2s) to expire and a late duplicate to show. */
const SETTLE_MS = 3_000;

/** When things happened, in the clock of the agent's and receiver's records. */
interface Timeline {
  startedAt: number;
  /** When the SIGKILL was sent, and when its exit was seen. */
  killedAt: number;
  killConfirmedAt: number;
  answeredAt: number;
}

interface Run extends Timeline {
  sends: SendRecord[];
  turns: TurnRecord[];
  receiver: ReplyReceiver;
  proxy: RoundRobinProxy;
  /** The test process's event loop delay: its timestamps are only as precise as this. */
  loopDelay: ELDHistogram;
}

describe("three gateways on one Redis, one killed with -9 mid-run", () => {
  const dir = tempDir("switchboard-cluster-");
  const prefix = uniquePrefix("cluster");
  let agent: RecordingAgent | undefined;
  let receiver: ReplyReceiver | undefined;
  let cluster: GatewayCluster | undefined;
  let proxy: RoundRobinProxy | undefined;
  let run: Run | undefined;
  let sends: SendRecord[] = [];
  const timeline: Timeline = { startedAt: 0, killedAt: 0, killConfirmedAt: 0, answeredAt: 0 };
  let failed = false;

  before(async () => {
    agent = await startRecordingAgent({ seed: 8 });
    receiver = await startReplyReceiver();
    cluster = await startGatewayCluster({
      dir,
      size: INSTANCES,
      config: (instance) =>
        webhookGatewayConfig({
          instance,
          store: redisStoreUrl(prefix),
          agent: { kind: "http", url: agent!.url },
          callbackUrl: receiver!.url,
          // Quick takeover of the killed instance's sessions.
          lanes: { leaseTtl: "2s" },
        }),
    });
    proxy = await startRoundRobinProxy(cluster.instances.map((i) => i.url));

    const conversations = planConversations(MESSAGES, SESSIONS);
    let kill: Promise<void> | undefined;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    timeline.startedAt = now();
    sends = await sendConversations({
      url: `${proxy.url}/channels/${WEBHOOK_CHANNEL}/webhook`,
      key: WEBHOOK_KEY,
      conversations,
      concurrency: 64,
      onAccepted: (count) => {
        if (count !== KILL_AFTER_ACCEPTED) return;
        timeline.killedAt = now();
        kill = cluster!.kill(VICTIM).then(() => {
          timeline.killConfirmedAt = now();
        });
      },
    });
    await kill;
    await receiver.answered(MESSAGES, 120_000).catch((error: unknown) => {
      failed = true;
      throw error;
    });
    timeline.answeredAt = now();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    loopDelay.disable();
    run = { ...timeline, sends, turns: agent.turns, receiver, proxy, loopDelay };
    console.log(summary(run));
  }, { timeout: 200_000 });

  after(async () => {
    await cluster?.stop();
    await proxy?.close();
    await agent?.close();
    await receiver?.close();
    if (failed || !run || process.env.KEEP_CLUSTER_RECORDS) keepRecords();
    else rmSync(dir, { recursive: true, force: true });
    await deleteKeysUnder(prefix);
  });

  /** What a failure leaves for a look: one JSON line per turn, callback and accept, and each instance's log. */
  function keepRecords(): void {
    const lines = (items: unknown[]) => items.map((item) => JSON.stringify(item)).join("\n") + "\n";
    writeFileSync(join(dir, "turns.jsonl"), lines(agent?.turns ?? []));
    writeFileSync(join(dir, "callbacks.jsonl"), lines(receiver?.deliveries ?? []));
    writeFileSync(join(dir, "accepts.jsonl"), lines(sends));
    writeFileSync(join(dir, "timeline.json"), JSON.stringify(timeline));
    for (const instance of cluster?.instances ?? []) writeFileSync(join(dir, `${instance.name}.log`), instance.output());
    console.error(`cluster test records kept in ${dir}`);
  }

  /** Run one check; a failing one keeps the records. */
  function check(assertion: (run: Run) => void): () => void {
    return () => {
      assert.ok(run, "the run did not complete");
      try {
        assertion(run);
      } catch (error) {
        failed = true;
        throw error;
      }
    };
  }

  it("accepts all 5,000 messages, retrying those the killed instance dropped", check((r) => {
    assert.equal(r.sends.length, MESSAGES);
    assert.ok(r.killedAt > r.startedAt, "the instance was killed during the run");
  }));

  it("answers every message exactly once", check((r) => {
    const problems = answerProblems(r.sends, r.receiver.distinct);
    assert.deepEqual(problems.unanswered.slice(0, 10), [], `${problems.unanswered.length} messages without an answer`);
    assert.deepEqual(problems.answeredTwice.slice(0, 10), [], `${problems.answeredTwice.length} messages answered by two turns`);
    assert.deepEqual(problems.wrongText.slice(0, 10), [], `${problems.wrongText.length} answers that do not match their message`);
    assert.deepEqual(problems.strays.slice(0, 10), [], `${problems.strays.length} answers to messages never sent`);
  }));

  it("hands each session's messages to the agent in send order", check((r) => {
    const problems = orderProblems(r.sends, r.turns);
    assert.deepEqual(problems.slice(0, 3), [], `${problems.length} of ${SESSIONS} sessions out of order`);
  }));

  it("never runs two turns of one session at the same time", check((r) => {
    const problems = overlapProblems(r.turns).map(({ session, first, second }) => ({
      session,
      first: `${first.turn} on ${first.gateway} ${Math.round(first.start - r.startedAt)}–${Math.round(first.end - r.startedAt)} ms`,
      second: `${second.turn} on ${second.gateway} ${Math.round(second.start - r.startedAt)}–${Math.round(second.end - r.startedAt)} ms`,
    }));
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} overlapping turn pairs (times from the first send)`);
  }));

  it("runs a turn again only when the kill cut off its first attempt", check((r) => {
    const problems = rerunProblems(r.turns, VICTIM, r.killConfirmedAt).map(({ turn, attempts }) => ({ turn, attempts: attempts.map((a) => `${a.gateway}@${Math.round(a.start - r.startedAt)}ms`) }));
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} turns run twice without the kill explaining it`);
  }));

  it("resumes the killed instance's sessions elsewhere once their leases expire", check((r) => {
    const taken = takeovers(r.turns, VICTIM, r.killedAt);
    // Lease TTL (2 s) plus the look for pending sessions (every 1 s), with room for a loaded machine.
    assert.ok(taken.sessions === 0 || taken.slowestMs < 2_000 + 1_000 + 5_000, `slowest rerun ${Math.round(taken.slowestMs)} ms after the kill`);
  }));

});

function summary(r: Run): string {
  const taken = takeovers(r.turns, VICTIM, r.killedAt);
  const distinctTurns = new Set(r.turns.map((t) => t.turn)).size;
  const repeats = r.receiver.deliveries.length - r.receiver.distinct.size;
  const retried = r.sends.filter((s) => s.attempts > 1).length;
  const perInstance = Object.entries(Object.groupBy(r.turns, (t) => t.gateway)).map(([g, list]) => `${g}: ${list?.length ?? 0}`).join(", ");
  return (
    `cluster: ${r.sends.length} messages, ${new Set(r.sends.map((s) => s.sessionId)).size} sessions, ${distinctTurns} turns ` +
    `(${r.turns.length} attempts; ${perInstance}), ${Math.round(r.answeredAt - r.startedAt)} ms to the last answer; ` +
    `${VICTIM} killed at ${Math.round(r.killedAt - r.startedAt)} ms; ${taken.sessions} sessions taken over ` +
    `(slowest rerun ${Math.round(taken.slowestMs)} ms after the kill); ${retried} sends retried ` +
    `(proxy: ${r.proxy.skipped} skipped a dead instance, ${r.proxy.failed} answered 502); ` +
    `${r.receiver.deliveries.length} callbacks, ${repeats} of them repeated deliveries; ` +
    `test process event loop delay p99 ${(r.loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(r.loopDelay.max / 1e6).toFixed(0)} ms`
  );
}
