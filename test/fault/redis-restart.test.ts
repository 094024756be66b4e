/**
 * Redis restarts mid-run, with AOF on: a private redis-server (appendfsync always) is killed
 * with -9 while two gateway processes take messages through a round-robin proxy, stays down a
 * moment, and comes back on the same port and files; three times, since what a gateway does at
 * the moment of the kill decides which of its error paths runs. Clients keep sending, and send again (same
 * id) whatever got a 5xx or a broken connection. Afterwards the gateways must still be up and
 * working, every message accepted, and every accepted message answered exactly once, in order.
 *
 * On failure the records (turns, callbacks, accepts, gateway and redis logs) stay in the temp
 * dir named in the failure message.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/gateway.ts";
import { now } from "../helpers/cluster/clock.ts";
import { startGatewayCluster, webhookGatewayConfig, WEBHOOK_CHANNEL, WEBHOOK_KEY, type GatewayCluster } from "../helpers/cluster/gateways.ts";
import { startRecordingAgent, type RecordingAgent, type TurnRecord } from "../helpers/cluster/recording-agent.ts";
import { startReplyReceiver, type ReplyReceiver } from "../helpers/cluster/reply-receiver.ts";
import { startRoundRobinProxy, type RoundRobinProxy } from "../helpers/cluster/round-robin-proxy.ts";
import { planConversations, sendConversations, type SendRecord } from "../helpers/cluster/sender.ts";
import { answerProblems, orderProblems, overlapProblems } from "../helpers/cluster/verdict.ts";
import { startRedis, type RedisProcess } from "../helpers/redis-servers.ts";

const MESSAGES = 400;
const SESSIONS = 20;
const RESTART_AFTER_ACCEPTED = [80, 200, 320];
/** Long enough that every client request in flight fails at least once (ioredis gives up after 3 reconnects). */
const DOWN_MS = 1_000;
/** A late duplicate answer, or a turn left to a stale lane, would show within this after the last answer. */
const SETTLE_MS = 2_500;

interface Run {
  sends: SendRecord[];
  turns: TurnRecord[];
  startedAt: number;
  outages: Array<{ killedAt: number; backAt: number }>;
  answeredAt: number;
}

describe("Redis restarts mid-run, with AOF on", () => {
  const dir = tempDir("switchboard-redis-restart-");
  let redis: RedisProcess | undefined;
  let agent: RecordingAgent | undefined;
  let receiver: ReplyReceiver | undefined;
  let gateways: GatewayCluster | undefined;
  let proxy: RoundRobinProxy | undefined;
  let run: Run | undefined;
  let failed = false;

  before(async () => {
    try {
      redis = await startRedis(["appendonly yes", "appendfsync always"]);
      agent = await startRecordingAgent({ seed: 11 });
      receiver = await startReplyReceiver();
      const store = `redis://127.0.0.1:${redis.port}/0?prefix=switchboard:`;
      gateways = await startGatewayCluster({
        dir,
        size: 2,
        config: (instance) =>
          webhookGatewayConfig({ instance, store, agent: { kind: "http", url: agent!.url }, callbackUrl: receiver!.url, lanes: { leaseTtl: "2s" } }),
      });
      proxy = await startRoundRobinProxy(gateways.instances.map((i) => i.url));

      const outages: Run["outages"] = [];
      let restarts = Promise.resolve();
      const startedAt = now();
      const sends = await sendConversations({
        url: `${proxy.url}/channels/${WEBHOOK_CHANNEL}/webhook`,
        key: WEBHOOK_KEY,
        conversations: planConversations(MESSAGES, SESSIONS),
        concurrency: 16,
        retryForMs: 20_000,
        onAccepted: (count) => {
          if (!RESTART_AFTER_ACCEPTED.includes(count)) return;
          restarts = restarts.then(async () => {
            await redis!.kill();
            const killedAt = now();
            await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
            await redis!.restart();
            outages.push({ killedAt, backAt: now() });
          });
        },
      });
      await restarts;
      await receiver.answered(MESSAGES, 30_000);
      const answeredAt = now();
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      run = { sends, turns: agent.turns, startedAt, outages, answeredAt };
      console.log(summary(run, receiver));
    } catch (error) {
      failed = true;
      throw error;
    }
  }, { timeout: 90_000 });

  after(async () => {
    await gateways?.stop();
    await proxy?.close();
    await agent?.close();
    await receiver?.close();
    if (failed || !run) keepRecords();
    await redis?.stop();
    if (!failed && run) rmSync(dir, { recursive: true, force: true });
  });

  /** What a failure leaves for a look: one JSON line per turn, callback and accept, and every log. */
  function keepRecords(): void {
    const lines = (items: unknown[]) => items.map((item) => JSON.stringify(item)).join("\n") + "\n";
    writeFileSync(join(dir, "turns.jsonl"), lines(agent?.turns ?? []));
    writeFileSync(join(dir, "callbacks.jsonl"), lines(receiver?.deliveries ?? []));
    writeFileSync(join(dir, "accepts.jsonl"), lines(run?.sends ?? []));
    for (const instance of gateways?.instances ?? []) writeFileSync(join(dir, `${instance.name}.log`), instance.output());
    writeFileSync(join(dir, "redis.log"), redis?.output() ?? "");
    console.error(`redis restart test records kept in ${dir}`);
  }

  /** Run one check; a failing one keeps the records. */
  function check(assertion: (run: Run) => void | Promise<void>): () => Promise<void> {
    return async () => {
      assert.ok(run, "the run did not complete");
      try {
        await assertion(run);
      } catch (error) {
        failed = true;
        throw error;
      }
    };
  }

  it("accepts every message, those sent while Redis was down included, once they are sent again", check((r) => {
    assert.equal(r.sends.length, MESSAGES);
    assert.equal(r.outages.length, RESTART_AFTER_ACCEPTED.length, "Redis was restarted during the run");
    const retried = r.sends.filter((s) => s.attempts > 1);
    assert.ok(retried.length > 0, "some requests hit an outage and were sent again (else the restarts missed the traffic)");
    assert.ok(r.sends.some((s) => s.acceptedAt > r.outages.at(-1)!.backAt), "messages were still being accepted after the last restart");
  }));

  it("answers every accepted message exactly once", check((r) => {
    const problems = answerProblems(r.sends, receiver!.distinct);
    assert.deepEqual(problems.unanswered.slice(0, 10), [], `${problems.unanswered.length} messages without an answer`);
    assert.deepEqual(problems.answeredTwice.slice(0, 10), [], `${problems.answeredTwice.length} messages answered by two turns`);
    assert.deepEqual(problems.wrongText.slice(0, 10), [], `${problems.wrongText.length} answers that do not match their message`);
    assert.deepEqual(problems.strays.slice(0, 10), [], `${problems.strays.length} answers to messages never sent`);
  }));

  it("keeps each session's order and one turn at a time across the restarts", check((r) => {
    assert.deepEqual(orderProblems(r.sends, r.turns).slice(0, 3), [], "sessions whose messages reached the agent out of send order");
    assert.deepEqual(overlapProblems(r.turns).slice(0, 3).map(({ session, first, second }) => ({ session, first: first.turn, second: second.turn })), [], "two turns of one session at once");
  }));

  it("both gateways are still running, and answer through the restarted Redis", check(async () => {
    for (const instance of gateways!.instances) {
      assert.equal(instance.child.exitCode, null, `${instance.name} exited:\n${instance.output()}`);
      assert.equal(instance.child.signalCode, null, `${instance.name} was killed:\n${instance.output()}`);
      const id = `after-restart-${instance.name}`;
      const response = await fetch(instance.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${WEBHOOK_KEY}` },
        body: JSON.stringify({ id, user: { id: `late-${instance.name}` }, text: id }),
      });
      assert.equal(response.status, 202, await response.text());
    }
    await receiver!.answered(MESSAGES + gateways!.instances.length, 10_000);
  }));
});

function summary(r: Run, receiver: ReplyReceiver): string {
  const retried = r.sends.filter((s) => s.attempts > 1);
  const duplicates = r.sends.filter((s) => s.duplicate).length;
  const distinctTurns = new Set(r.turns.map((t) => t.turn)).size;
  return (
    `redis restart: ${r.sends.length} messages over ${SESSIONS} sessions; Redis down at ` +
    `${r.outages.map((o) => `${Math.round(o.killedAt - r.startedAt)}–${Math.round(o.backAt - r.startedAt)}`).join(", ")} ms; ${retried.length} sends retried (up to ${Math.max(0, ...retried.map((s) => s.attempts))} attempts, ` +
    `${duplicates} found already accepted); ${distinctTurns} turns in ${r.turns.length} agent calls; ` +
    `${receiver.deliveries.length} callbacks (${receiver.deliveries.length - receiver.distinct.size} repeated); ` +
    `last answer at ${Math.round(r.answeredAt - r.startedAt)} ms`
  );
}
