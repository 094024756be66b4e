/**
 * The CLI side of speaking first, against a gateway started with `switchboard start`: schedules
 * listed, paused, resumed and run now from another process on the same store, and `message send`
 * through the running gateway or, with none running, from an in-process one that waits for delivery.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startWebhookEmulator, type WebhookEmulator } from "../emulators/webhook/index.ts";
import { tempDir, waitFor } from "../helpers/gateway.ts";
import { killHard, runCli, startCli, type RunningGateway } from "../helpers/process.ts";
import { closedPort as freePort } from "../helpers/net.ts";

describe("switchboard schedules and message send", () => {
  let receiver: WebhookEmulator;
  let dir: string;
  let configFile: string;
  let gateway: RunningGateway | undefined;
  const cli = (...args: string[]) => runCli([...args, "-c", configFile], { cwd: dir });

  before(async () => {
    receiver = await startWebhookEmulator();
    dir = tempDir("switchboard-schedules-cli-");
    configFile = join(dir, "switchboard.yaml");
    writeFileSync(
      configFile,
      `store: sqlite:./data/switchboard.db
server: { port: ${await freePort()} }
defaultAgent: helper
agents: { helper: { kind: echo } }
channels:
  hook:
    type: webhook
    callbackUrl: ${receiver.callbackUrl}
    signature: { secret: "${receiver.secret}" }
schedules:
  - { name: hourly, cron: "0 * * * *", timezone: Europe/Berlin, agent: helper, instruction: "Post the hourly numbers.", target: { channel: hook, to: ops-room } }
`,
    );
    gateway = await startCli(["-c", configFile], { cwd: dir });
  });
  after(async () => {
    if (gateway) await killHard(gateway.child);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the schedule with its next run, pauses, runs it now from another process, and resumes", async () => {
    const list = await cli("schedules", "list");
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /hourly\s+next \d{4}-\d\d-\d\dT\d\d:00:00\.000Z\s+never run\s+→ hook ops-room/);
    assert.equal((await cli("schedules", "pause", "hourly")).code, 0);
    assert.match((await cli("schedules", "list")).stdout, /hourly\s+paused/);

    const runNow = await cli("schedules", "run-now", "hourly");
    assert.equal(runNow.code, 0, runNow.stderr);
    const delivered = await waitFor(() => receiver.received().find((c) => c.text === "Post the hourly numbers."), { what: "the run-now's answer", timeoutMs: 15_000 });
    assert.equal(delivered.conversation.id, "ops-room");
    const json = JSON.parse((await waitFor(async () => {
      const out = (await cli("schedules", "list", "--json")).stdout;
      return (JSON.parse(out) as Array<{ lastRun?: { status: string } }>)[0]?.lastRun?.status === "delivered" ? out : undefined;
    })));
    assert.equal(json[0].paused, true, "a run-now does not resume it");

    assert.equal((await cli("schedules", "resume", "hourly")).code, 0);
    assert.doesNotMatch((await cli("schedules", "list")).stdout, /paused/);
    const unknown = await cli("schedules", "pause", "nope");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown schedule "nope" \(known: hourly\)/);
  });

  it("message send goes through the running gateway, once per --id", async () => {
    const first = await cli("message", "send", "--channel", "hook", "--to", "deploys", "--id", "deploy-7", "Deploy", "7", "is", "out");
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^queued/);
    const again = await cli("message", "send", "--channel", "hook", "--to", "deploys", "--id", "deploy-7", "Deploy", "7", "is", "out");
    assert.match(again.stdout, /^already sent/);
    await waitFor(() => receiver.received().find((c) => c.text === "Deploy 7 is out"));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(receiver.received().filter((c) => c.text === "Deploy 7 is out").length, 1);
    const bad = await cli("message", "send", "--channel", "nope", "--to", "x", "hi");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /404: no channel "nope"/);
    assert.equal((await cli("message", "send", "--channel", "hook", "hi")).code, 2, "--to is required");
  });

  it("with no gateway running, message send delivers from its own process before it exits", async () => {
    await killHard(gateway!.child);
    gateway = undefined;
    const sent = await cli("message", "send", "--channel", "hook", "--to", "night-shift", "Nobody was running");
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^sent/);
    const got = receiver.received().find((c) => c.text === "Nobody was running");
    assert.ok(got, "delivered before the command returned");
    assert.equal(got.conversation.id, "night-shift");
  });
});
