/**
 * /metrics on a real gateway: messages go in over HTTP, the exposition is scraped over loopback
 * with the admin token and parsed, and every counter and histogram must have moved by exactly
 * what was sent.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { adminHeaders, postJson, startGateway, waitFor, type TestGateway } from "../helpers/gateway.ts";
import { LoopbackChannel, LoopbackPlatform } from "../helpers/loopback-platform.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** The Prometheus text format (0.0.4): `# TYPE` lines and `name{label="value",…} number` samples. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    assert.ok(sample, `not a sample line: ${line}`);
    // Prometheus reads values as Go's ParseFloat does: NaN in any case, +Inf, -Inf.
    const raw = sample[3]!;
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : /^nan$/i.test(raw) ? NaN : Number(raw);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(raw), `not a number in: ${line}`);
    samples.push({ name: sample[1]!, labels: parseLabels(sample[2] ?? ""), value });
  }
  return { types, samples };
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    labels[match[1]!] = match[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    consumed = pattern.lastIndex;
  }
  assert.equal(consumed, text.length, `malformed labels: {${text}}`);
  return labels;
}

/** The one sample of `name` whose labels include `labels`; 0 when the series does not exist yet. */
function value(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value ?? 0;
}

function delta(before: Exposition, after: Exposition, name: string, labels: Record<string, string> = {}): number {
  return value(after, name, labels) - value(before, name, labels);
}

describe("metrics", () => {
  let platform: LoopbackPlatform;
  let t: TestGateway;
  let scrapeUrl: string;
  /** Turns of messages saying "hold" wait here until the test lets them go. */
  let releaseHeld: () => void = () => undefined;
  let held = Promise.resolve();

  const scrape = async (): Promise<Exposition> => {
    const response = await fetch(scrapeUrl, { headers: adminHeaders });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  before(async () => {
    platform = await new LoopbackPlatform().start();
    t = await startGateway({ defaultAgent: "main", agents: { other: { kind: "echo" } }, outbox: { baseDelay: "50ms", maxDelay: "100ms", maxAttempts: 3 } }, (gw) => {
      gw.addChannel(new LoopbackChannel({ id: "loop", platformUrl: platform.url }));
      gw.addAgent("main", async (input) => {
        if (input.text.includes("fail")) throw new Error("the agent broke");
        if (input.text.includes("hold")) await held;
        await sleep(30);
        return `echo: ${input.text}`;
      });
    });
    scrapeUrl = `${t.url}/metrics`;
  });
  after(async () => {
    await t.stop();
    await platform.stop();
  });

  it("counts accepted, duplicate and rejected messages per channel, exactly", async () => {
    const before = await scrape();
    const post = (body: Record<string, string>) => postJson(`${t.url}/v1/messages`, body);
    assert.equal((await post({ user: "m-alice", text: "one", id: "m-1" })).status, 200);
    assert.equal((await post({ user: "m-bob", text: "two", id: "m-2" })).status, 200);
    const redelivery = await post({ user: "m-alice", text: "one", id: "m-1" });
    assert.equal(redelivery.body.duplicate, true);
    assert.equal((await post({ user: "m-mallory", text: "mine now", id: "m-1" })).status, 409, "another sender's message id");
    assert.equal((await post({ user: "m-alice", text: "to nobody", agent: "nobody" })).status, 400, "an unknown agent");
    assert.equal((await postJson(`${t.url}/channels/loop`, { user: "m-carol", text: "hi", id: "loop-1" })).status, 200);
    await waitFor(() => platform.delivered.some((d) => d.text === "echo: hi"), { what: "the loop reply" });

    const after = await scrape();
    assert.equal(after.types.get("switchboard_messages_total"), "counter");
    assert.equal(delta(before, after, "switchboard_messages_total", { channel: "api", outcome: "accepted" }), 2);
    assert.equal(delta(before, after, "switchboard_messages_total", { channel: "api", outcome: "duplicate" }), 1);
    assert.equal(delta(before, after, "switchboard_messages_total", { channel: "api", outcome: "rejected" }), 2);
    assert.equal(delta(before, after, "switchboard_messages_total", { channel: "loop", outcome: "accepted" }), 1);
    assert.equal(delta(before, after, "switchboard_messages_total", { channel: "loop", outcome: "duplicate" }), 0);
    assert.equal(delta(before, after, "switchboard_messages_total", { channel: "api", outcome: "error" }), 0);
  });

  it("times every turn by agent and status, in a well-formed histogram", async () => {
    const before = await scrape();
    for (const text of ["a", "b", "c"]) await postJson(`${t.url}/v1/messages`, { user: "t-dave", text });
    const failed = await postJson(`${t.url}/v1/messages`, { user: "t-dave", text: "please fail" });
    assert.equal(failed.body.reply, "Sorry, the agent could not answer this message.");
    await postJson(`${t.url}/v1/messages`, { user: "t-erin", text: "hello", agent: "other" });

    const after = await scrape();
    const name = "switchboard_turn_duration_seconds";
    assert.equal(after.types.get(name), "histogram");
    assert.equal(delta(before, after, `${name}_count`, { agent: "main", status: "done" }), 3);
    assert.equal(delta(before, after, `${name}_count`, { agent: "main", status: "failed" }), 1);
    assert.equal(delta(before, after, `${name}_count`, { agent: "other", status: "done" }), 1);
    // The agent sleeps 30 ms per answered turn: the time around it was measured, not invented
    // (a timer may fire a little early against the clock that times it, hence the margin).
    assert.ok(delta(before, after, `${name}_sum`, { agent: "main", status: "done" }) >= 3 * 0.025);
    assertWellFormedHistogram(after, name, { agent: "main", status: "done" });
  });

  it("observes the lane's depth as each turn starts, and shows active sessions while a turn runs", async () => {
    const before = await scrape();
    held = new Promise((resolve) => (releaseHeld = resolve));
    const started: string[] = [];
    const unsubscribe = t.gw.gateway.events.subscribe((event) => {
      if (event.type === "turn.started") started.push(event.turnId);
    });
    try {
      const send = (text: string, id: string) => postJson(`${t.url}/channels/loop`, { user: "q-frank", text, id });
      await send("hold the first", "q-1");
      await waitFor(() => started.length === 1, { what: "the first turn to start" });
      // Two more wait in the lane behind the running turn.
      await send("second", "q-2");
      await send("third", "q-3");
      const during = await scrape();
      assert.equal(value(during, "switchboard_turns_running"), 1);
      assert.equal(value(during, "switchboard_active_sessions"), 1);
      releaseHeld();
      await waitFor(() => platform.delivered.some((d) => d.text === "echo: third"), { what: "the third reply" });
    } finally {
      releaseHeld();
      unsubscribe();
    }
    const after = await scrape();
    const name = "switchboard_lane_queue_depth";
    assert.equal(after.types.get(name), "histogram");
    // Turns started with 1 (alone), then 2 (second and third waiting), then 1.
    assert.equal(delta(before, after, `${name}_count`), 3);
    assert.equal(delta(before, after, `${name}_sum`), 4);
    assert.equal(delta(before, after, `${name}_bucket`, { le: "1" }), 2);
    assert.equal(delta(before, after, `${name}_bucket`, { le: "2" }), 3);
    assertWellFormedHistogram(after, name, {});
    assert.equal(value(after, "switchboard_turns_running"), 0);
    assert.equal(value(after, "switchboard_active_sessions"), 0);
  });

  it("counts deliveries, their retries and failures per channel", async () => {
    const before = await scrape();
    platform.script = [{ status: 500 }, { status: 502 }];
    await postJson(`${t.url}/channels/loop`, { user: "d-gina", text: "retry me", id: "d-1" });
    await waitFor(() => platform.delivered.some((d) => d.text === "echo: retry me"), { what: "the retried reply" });
    platform.script = [{ status: 400 }];
    const failed = new Promise<void>((resolve) => {
      const unsubscribe = t.gw.gateway.events.subscribe((event) => {
        if (event.type !== "delivery.failed") return;
        unsubscribe();
        resolve();
      });
    });
    await postJson(`${t.url}/channels/loop`, { user: "d-gina", text: "refused", id: "d-2" });
    await failed;

    const after = await scrape();
    assert.equal(delta(before, after, "switchboard_deliveries_sent_total", { channel: "loop" }), 1);
    assert.equal(delta(before, after, "switchboard_delivery_retries_total", { channel: "loop" }), 2);
    assert.equal(delta(before, after, "switchboard_delivery_failures_total", { channel: "loop" }), 1);
    assert.equal(delta(before, after, "switchboard_delivery_failures_total", { channel: "api" }), 0);
  });

  it("includes the process's metrics, event-loop lag among them", async () => {
    const exposition = await scrape();
    for (const name of ["nodejs_eventloop_lag_seconds", "nodejs_eventloop_lag_p99_seconds", "process_cpu_user_seconds_total", "process_resident_memory_bytes"]) {
      assert.ok(exposition.samples.some((s) => s.name === name), `${name} is exported`);
    }
    assert.ok(value(exposition, "nodejs_eventloop_lag_p99_seconds") >= 0);
  });

  it("wants the admin token unless metrics are public", async () => {
    const missing = await fetch(scrapeUrl);
    assert.equal(missing.status, 401);
    assert.match(((await missing.json()) as { error: string }).error, /missing admin token/);
    const wrong = await fetch(scrapeUrl, { headers: { authorization: "Bearer not-the-token-at-all-0123456789abcdef" } });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(await wrong.text(), /switchboard_/);
    const post = await fetch(scrapeUrl, { method: "POST", headers: adminHeaders });
    assert.equal(post.status, 405);

    const open = await startGateway({ metrics: { public: true } });
    const noToken = await startGateway({ admin: {} });
    const disabled = await startGateway({ metrics: { enabled: false } });
    try {
      const anyone = await fetch(`${open.url}/metrics`);
      assert.equal(anyone.status, 200);
      assert.match(await anyone.text(), /^# HELP switchboard_/m);
      const off = await fetch(`${noToken.url}/metrics`);
      assert.equal(off.status, 403);
      assert.match(((await off.json()) as { error: string }).error, /metrics\.public/);
      assert.equal((await fetch(`${disabled.url}/metrics`, { headers: adminHeaders })).status, 404);
    } finally {
      await Promise.all([open.stop(), noToken.stop(), disabled.stop()]);
    }
  });

  it("counts the messages the access policy refuses too: metrics see every message first", async () => {
    const guarded = await startGateway({ channels: { api: { type: "http", access: { policy: "allowlist", allow: ["ada"] } } } });
    try {
      assert.equal((await postJson(`${guarded.url}/v1/messages`, { user: "ada", text: "let in" })).status, 200);
      assert.equal((await postJson(`${guarded.url}/v1/messages`, { user: "mallory", text: "not on the list" })).status, 403);
      const own = parseExposition(await (await fetch(`${guarded.url}/metrics`, { headers: adminHeaders })).text());
      assert.equal(value(own, "switchboard_messages_total", { channel: "api", outcome: "accepted" }), 1);
      assert.equal(value(own, "switchboard_messages_total", { channel: "api", outcome: "rejected" }), 1);
    } finally {
      await guarded.stop();
    }
  });

  it("keeps each gateway's counts apart when several run in one process", async () => {
    const second = await startGateway();
    try {
      const before = await scrape();
      await postJson(`${second.url}/v1/messages`, { user: "g-hank", text: "elsewhere" });
      const after = await scrape();
      assert.equal(delta(before, after, "switchboard_messages_total", { channel: "api", outcome: "accepted" }), 0);
      const own = parseExposition(await (await fetch(`${second.url}/metrics`, { headers: adminHeaders })).text());
      assert.equal(value(own, "switchboard_messages_total", { channel: "api", outcome: "accepted" }), 1);
    } finally {
      await second.stop();
    }
  });
});

/** Buckets never decrease, end at +Inf, and +Inf equals _count. */
function assertWellFormedHistogram(exposition: Exposition, name: string, labels: Record<string, string>): void {
  const buckets = exposition.samples
    .filter((s) => s.name === `${name}_bucket` && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => ({ le: s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), count: s.value }));
  assert.ok(buckets.length > 2, `${name} has buckets`);
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.count >= sorted[i - 1]!.count, `${name} buckets are cumulative`);
  assert.equal(sorted.at(-1)!.le, Infinity);
  assert.equal(sorted.at(-1)!.count, value(exposition, `${name}_count`, labels));
}
