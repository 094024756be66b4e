/**
 * Two gateway processes on one Redis store. The one running a session's turn freezes (SIGSTOP):
 * the other takes the session over once the lane's lease expires and answers. When the frozen one
 * resumes, its stale turn is fenced off: the user gets exactly one answer, the new holder's.
 */
import { deleteKeysUnder } from "../helpers/cluster/redis-keys.ts";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { tempDir, waitFor } from "../helpers/gateway.ts";
import { killHard, startCli, type RunningGateway } from "../helpers/process.ts";
import { startWebhookEmulator } from "../emulators/webhook/index.ts";

const agentModule = fileURLToPath(new URL("../fixtures/freezable-agent.ts", import.meta.url));
const REDIS = "redis://127.0.0.1:6379";
const KEY = "lane-fencing-test-key-0123456789";

describe("a frozen gateway's session is taken over, and its stale turn is fenced off", () => {
  const dir = tempDir();
  const prefix = `sbtest:fencing:${randomUUID()}:`;
  const markerFile = join(dir, "slow-started");
  const runsFile = join(dir, "runs.log");
  const gateways: RunningGateway[] = [];
  let emulator: Awaited<ReturnType<typeof startWebhookEmulator>> | undefined;

  after(async () => {
    for (const gateway of gateways) {
      gateway.child.kill("SIGCONT");
      await killHard(gateway.child);
    }
    await emulator?.close();
    await deleteKeysUnder(prefix);
  });

  const send = (gateway: RunningGateway, id: string, text: string) =>
    fetch(`${gateway.url}/channels/hook/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ id, user: { id: "frozen-user" }, text }),
    });

  it("answers once, from the gateway that took over", async () => {
    emulator = await startWebhookEmulator();
    const configFile = join(dir, "switchboard.yaml");
    writeFileSync(
      configFile,
      [
        `store: ${JSON.stringify(`${REDIS}/0?prefix=${prefix}`)}`,
        "server: { port: 0 }",
        "lanes: { leaseTtl: 1s }",
        "defaultAgent: freezable",
        "agents:",
        `  freezable: { kind: function, module: ${JSON.stringify(agentModule)}, export: create, options: { markerFile: ${JSON.stringify(markerFile)}, runsFile: ${JSON.stringify(runsFile)}, slowMs: 4000 } }`,
        "channels:",
        `  hook: { type: webhook, callbackUrl: ${JSON.stringify(emulator.callbackUrl)}, key: ${KEY}, signature: { secret: ${JSON.stringify(emulator.secret)} } }`,
      ].join("\n"),
    );
    const frozen = await startCli(["-c", configFile]);
    gateways.push(frozen);
    const taker = await startCli(["-c", configFile]);
    gateways.push(taker);

    assert.equal((await send(frozen, "m1", "a slow question")).status, 202);
    await waitFor(() => existsSync(markerFile), { what: "the first gateway to start the turn" });
    assert.equal(readFileSync(markerFile, "utf8"), String(frozen.child.pid), "the gateway that accepted it runs it");
    frozen.child.kill("SIGSTOP");
    const frozenAt = Date.now();

    // The other gateway takes the session over once the lease has expired, and starts the turn
    // again. Resume the frozen one while that rerun is still going: its own agent call ends
    // first, so without fencing its stale answer would be committed and sent.
    const takerStarted = `${taker.child.pid} start a slow question`;
    await waitFor(() => existsSync(runsFile) && readFileSync(runsFile, "utf8").includes(takerStarted), { timeoutMs: 15_000, what: "the other gateway to take the turn over" });
    assert.ok(Date.now() - frozenAt >= 1000, "taken over only once the lease had expired");
    frozen.child.kill("SIGCONT");

    const [answer] = await emulator.waitForCallbacks(1, 15_000);
    assert.equal(answer!.text, `answered by ${taker.child.pid}: a slow question`, "the answer is the new holder's");
    await waitFor(() => /lost a session lane|turn result discarded/.test(frozen.output()), { timeoutMs: 10_000, what: "the resumed gateway to find its lane taken over" });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(
      emulator.attempts.map((a) => a.body?.text),
      [`answered by ${taker.child.pid}: a slow question`],
      "exactly one callback: the stale turn sent nothing",
    );

    // Both gateways still serve the session, one turn at a time.
    assert.equal((await send(frozen, "m2", "and now?")).status, 202);
    const both = await emulator.waitForCallbacks(2, 10_000);
    assert.match(both[1]!.text, /^answered by \d+: and now\?$/);
    assert.equal(both[1]!.sessionId, answer!.sessionId, "the same session continues");
    const runs = readFileSync(runsFile, "utf8").trim().split("\n");
    assert.equal(runs.filter((line) => line.endsWith("start and now?")).length, 1, "the follow-up ran once");
  });
});
