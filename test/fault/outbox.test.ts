import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { startGateway, postJson, waitFor, tempDir, type TestGateway } from "../helpers/gateway.ts";
import { LoopbackChannel, LoopbackPlatform } from "../helpers/loopback-platform.ts";
import { killHard } from "../helpers/process.ts";
import { splitText } from "../../src/core/split.ts";

const longReply = [
  "Here is the plan.",
  "```ts",
  ...Array.from({ length: 24 }, (_, i) => `const step${i} = await run(${i});`),
  "```",
  "That is all.",
].join("\n");

describe("outbox delivery under platform faults", () => {
  let platform: LoopbackPlatform;
  let t: TestGateway;
  const failures: string[] = [];
  before(async () => {
    platform = await new LoopbackPlatform().start();
    t = await startGateway({ outbox: { baseDelay: "100ms", maxDelay: "2s", maxAttempts: 5 } }, (gw) => {
      gw.addChannel(new LoopbackChannel({ id: "loop", platformUrl: platform.url, maxMessageLength: 200 }));
    });
    t.gw.gateway.events.subscribe((event) => {
      if (event.type === "delivery.failed") failures.push(event.error);
    });
  });
  after(async () => {
    await t.stop();
    await platform.stop();
  });

  it("a 429 with Retry-After, then a 500: every chunk arrives once, in order, not before Retry-After", async () => {
    platform.script = [{ status: 429, retryAfter: 1 }, { status: 500 }];
    const ack = await postJson(`${t.url}/channels/loop`, { user: "u1", text: longReply, id: "evt-429" });
    assert.equal(ack.status, 200);
    const expected = splitText(longReply, 200).length;
    assert.ok(expected >= 3, "the reply needs several chunks");
    await waitFor(() => platform.delivered.length >= expected, { what: "all chunks", timeoutMs: 15_000 });
    await sleep(300); // nothing more may arrive

    const chunks = platform.delivered.map((d) => d.text);
    assert.equal(chunks.length, expected);
    assert.ok(chunks.every((c) => c.length <= 200), "each chunk within the platform limit");
    assert.equal(new Set(platform.delivered.map((d) => d.key)).size, platform.delivered.length, "no chunk sent twice");
    assert.deepEqual(platform.delivered.map((d) => d.key), [...platform.delivered.map((d) => d.key)].sort(), "in order");
    for (const chunk of chunks) {
      const fences = chunk.split("\n").filter((line) => line.startsWith("```")).length;
      assert.equal(fences % 2, 0, `a chunk cut inside a code fence:\n${chunk}`);
    }
    const strip = (s: string) => s.replace(/```ts|```/g, "").replace(/\s+/g, "");
    assert.equal(strip(chunks.join("")), strip(longReply), "nothing lost");

    const first = platform.attempts[0]!;
    const second = platform.attempts[1]!;
    assert.equal(first.status, 429);
    assert.ok(second.at - first.at >= 950, `retried ${second.at - first.at} ms after a Retry-After of 1 s`);
  });

  it("a duplicate webhook yields one reply", async () => {
    const before = platform.delivered.length;
    const body = { user: "u2", text: "only once", id: "evt-dup" };
    await Promise.all([postJson(`${t.url}/channels/loop`, body), postJson(`${t.url}/channels/loop`, body)]);
    await postJson(`${t.url}/channels/loop`, body);
    await waitFor(() => platform.delivered.length > before);
    await sleep(300);
    assert.deepEqual(platform.delivered.slice(before).map((d) => d.text), ["only once"]);
  });

  it("a permanent refusal is reported, and the session's later replies still go out", async () => {
    platform.script = [{ status: 400 }];
    const before = platform.delivered.length;
    await postJson(`${t.url}/channels/loop`, { user: "u3", text: "refused", id: "evt-400" });
    await waitFor(() => failures.length > 0, { what: "the failure report" });
    assert.match(failures[0]!, /refused: 400/);
    await postJson(`${t.url}/channels/loop`, { user: "u3", text: "accepted", id: "evt-after-400" });
    await waitFor(() => platform.delivered.length > before);
    assert.deepEqual(platform.delivered.slice(before).map((d) => d.text), ["accepted"]);
  });
});

describe("kill -9 while the platform is down", () => {
  const fixture = fileURLToPath(new URL("../fixtures/loopback-gateway.ts", import.meta.url));
  const dir = tempDir();
  let platform: LoopbackPlatform;
  before(async () => {
    platform = await new LoopbackPlatform().start();
  });
  after(() => platform.stop());

  function startChild(): Promise<{ kill: () => Promise<void>; url: string }> {
    const child = spawn(process.execPath, [fixture, dir, platform.url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stderr.on("data", (d) => (out += d));
    return new Promise((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d;
        const match = /listening on (http:\S+)/.exec(out);
        if (match) resolve({ url: match[1]!, kill: () => killHard(child) });
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
  }

  it("delivers the accepted reply exactly once after the restart", async () => {
    platform.down = { status: 503 };
    let gateway = await startChild();
    const ack = await postJson(`${gateway.url}/channels/loop`, { user: "k", text: "survive this", id: "evt-kill" });
    assert.equal(ack.status, 200);
    await waitFor(() => platform.attempts.length >= 2, { what: "failed attempts" });
    await gateway.kill();
    assert.equal(platform.delivered.length, 0);

    platform.down = undefined;
    gateway = await startChild();
    try {
      await waitFor(() => platform.delivered.length === 1, { what: "the delivery after restart" });
      // A redelivered webhook after the restart is still a duplicate.
      await postJson(`${gateway.url}/channels/loop`, { user: "k", text: "survive this", id: "evt-kill" });
      await sleep(500);
      assert.deepEqual(platform.delivered.map((d) => d.text), ["survive this"]);
    } finally {
      await gateway.kill();
    }
  });
});
