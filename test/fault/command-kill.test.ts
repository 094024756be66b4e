/**
 * A CLI agent's turn that is stopped (its own timeout, the gateway's turn timeout, an interrupt)
 * takes everything the CLI started with it: the fake CLI spawns a grandchild that ignores
 * SIGTERM and would leave a mark after 3 s; neither process may survive, and the mark never appears.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { commandAgentSchema, createCommandAgent, type CommandAgentConfig } from "../../src/agents/command/index.ts";
import { settleMs } from "../../src/agents/command/process.ts";
import { replies } from "../../src/core/turn.ts";
import { alive, installFakeClaude, type FakeCall, type FakeClaude } from "../emulators/command/install.ts";
import { collectEvents, turnInput } from "../helpers/turn-input.ts";
import { postJson, startGateway, waitFor, type TestGateway } from "../helpers/gateway.ts";

function agentFor(fake: FakeClaude, config: Partial<CommandAgentConfig> = {}) {
  const parsed = commandAgentSchema.parse({ kind: "command", command: fake.command, env: fake.env, ...config });
  return createCommandAgent("coder", parsed, { baseDir: tmpdir(), agents: () => ["coder"] });
}

/** The run of the fake that spawned a grandchild, once it has recorded its pids. */
async function grandchildRun(fake: FakeClaude, count = 1): Promise<FakeCall & { grandchild: { pid: number; mark: string } }> {
  const calls = await waitFor(() => {
    const runs = fake.calls().filter((c) => c.grandchild);
    return runs.length >= count ? runs : undefined;
  }, { what: "the fake CLI to spawn its grandchild" });
  return calls[count - 1] as FakeCall & { grandchild: { pid: number; mark: string } };
}

/** Both processes are gone within the kill grace period, and the grandchild's mark never appears. */
async function assertTreeGone(run: FakeCall & { grandchild: { pid: number; mark: string } }, spawnedAt: number): Promise<void> {
  await waitFor(() => !alive(run.pid) && !alive(run.grandchild.pid), { timeoutMs: 2600, what: "the CLI and its grandchild to die" });
  // The grandchild would have written its mark 3 s after it started.
  await sleep(Math.max(0, spawnedAt + 3500 - Date.now()));
  assert.equal(existsSync(run.grandchild.mark), false, "the grandchild survived long enough to write its mark");
}

describe("a stopped command agent kills its whole process tree", () => {
  let fake: FakeClaude;
  before(() => (fake = installFakeClaude()));
  after(() => fake.remove());

  it("on the agent's own timeout", async () => {
    const started = Date.now();
    const turn = collectEvents(agentFor(fake, { timeout: "600ms" }).run(turnInput("[grandchild]")));
    const run = await grandchildRun(fake);
    assert.ok(alive(run.pid) && alive(run.grandchild.pid), "both processes run before the timeout");
    await assert.rejects(turn, /did not finish within 600 ms/);
    await assertTreeGone(run, started);
  });

  it("when the turn is aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const turn = collectEvents(agentFor(fake).run(turnInput("[grandchild]", { signal: controller.signal })));
    const run = await grandchildRun(fake, 2);
    controller.abort("interrupt");
    await turn;
    await assertTreeGone(run, started);
  });

  it("a background process left behind by a finished CLI neither holds up the turn nor outlives it", async () => {
    const started = Date.now();
    const events = await collectEvents(agentFor(fake).run(turnInput("[orphan]")));
    assert.ok(Date.now() - started < 1500, "the turn waited for the background process");
    assert.deepEqual(events.at(-1), { type: "message", text: "done, something still runs in the background" });
    const run = fake.calls().at(-1)!;
    await waitFor(() => !alive(run.grandchild!.pid), { timeoutMs: 2600, what: "the background process to die" });
  });

  it("a CLI that answers but never exits is stopped shortly after its answer", async () => {
    const started = Date.now();
    const events = await collectEvents(agentFor(fake).run(turnInput("[linger]")));
    assert.deepEqual(events.at(-1), { type: "message", text: "answered, but still running" });
    assert.ok(Date.now() - started < settleMs + 1500, "the turn waited too long for the lingering CLI");
    assert.equal(alive(fake.calls().at(-1)!.pid), false);
  });
});

describe("in a gateway, the turn timeout and an interrupt kill the CLI's tree", () => {
  let fake: FakeClaude;
  let timeoutGw: TestGateway;
  let interruptGw: TestGateway;
  before(async () => {
    fake = installFakeClaude();
    timeoutGw = await startGateway({ defaultAgent: "coder", lanes: { turnTimeout: "800ms" } }, (gw) => gw.addAgent(agentFor(fake)));
    interruptGw = await startGateway({ defaultAgent: "coder", lanes: { busy: "interrupt" } }, (gw) => gw.addAgent(agentFor(fake)));
  });
  after(async () => {
    await timeoutGw.stop();
    await interruptGw.stop();
    fake.remove();
  });

  it("the gateway's turn timeout", async () => {
    const started = Date.now();
    const before = fake.calls().filter((c) => c.grandchild).length;
    const reply = await postJson(`${timeoutGw.url}/v1/messages`, { user: "frank", text: "[grandchild]" });
    assert.equal(reply.body.reply, replies.timeout(800));
    await assertTreeGone(await grandchildRun(fake, before + 1), started);
  });

  it("a second message under the interrupt policy", async () => {
    const started = Date.now();
    const before = fake.calls().filter((c) => c.grandchild).length;
    const first = await postJson(`${interruptGw.url}/v1/messages`, { user: "grace", text: "[grandchild]", id: "first" }, { prefer: "respond-async" });
    assert.equal(first.status, 202);
    const run = await grandchildRun(fake, before + 1);
    const second = await postJson(`${interruptGw.url}/v1/messages`, { user: "grace", text: "never mind" });
    assert.equal(second.body.status, "done");
    // The interrupted turn had started the CLI session, so the new message continues it.
    assert.match(second.body.reply, /^turn 2 of session .*: never mind$/);
    await assertTreeGone(run, started);
  });
});
