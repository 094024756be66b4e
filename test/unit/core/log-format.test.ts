import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createLogger } from "../../../src/core/log.ts";

function capture(level: "debug" | "info" | "warn" | "error" = "debug") {
  const lines: string[] = [];
  return { lines, log: createLogger({ level, write: (line) => lines.push(line) }) };
}

test("each line is one JSON object: an ISO time, the level by name, the fields and the message", () => {
  const { lines, log } = capture();
  log.info("turn completed", { sessionId: "s-1", messages: 2 });
  log.warn("second");
  assert.equal(lines.length, 2);
  assert.ok(lines.every((line) => !line.includes("\n")), "no line spans two lines");
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(first).sort(), ["level", "messages", "msg", "sessionId", "t"]);
  assert.equal(first.level, "info");
  assert.equal(first.msg, "turn completed");
  assert.equal(first.sessionId, "s-1");
  assert.equal(first.messages, 2);
  assert.ok(Math.abs(Date.parse(first.t as string) - Date.now()) < 5_000, "t is the time of the call");
  assert.equal(JSON.parse(lines[1]!).level, "warn");
});

test("a child's fields are on each of its lines, its secrets masked, and the parent is unchanged", () => {
  const { lines, log } = capture();
  const child = log.child({ channel: "slack", botToken: "xoxb-1234567890-abcdef" }).child({ sessionId: "s-2" });
  child.info("delivered", { outboxId: "o-1" });
  log.info("parent");
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.channel, "slack");
  assert.equal(line.sessionId, "s-2");
  assert.equal(line.outboxId, "o-1");
  assert.equal(line.botToken, "••••");
  assert.doesNotMatch(lines[0]!, /xoxb-1234567890/);
  assert.deepEqual(Object.keys(JSON.parse(lines[1]!) as object).sort(), ["level", "msg", "t"]);
});

test("the message comes before the fields, and a field a line sets again is written once, the line's value winning", () => {
  const { lines, log } = capture();
  log.child({ channel: "api", sessionId: "from-child" }).error("keys unreadable", { channel: "api", sessionId: "from-line", reason: "wrong master key" });
  const line = lines[0]!;
  assert.match(line, /"msg":"keys unreadable".*"reason":"wrong master key"/);
  assert.equal(line.match(/"channel":/g)?.length, 1);
  assert.equal(line.match(/"sessionId":/g)?.length, 1);
  assert.equal(JSON.parse(line).sessionId, "from-line");
});

test("errors are logged as their name and scrubbed message, under any key", () => {
  const { lines, log } = capture();
  log.error("failed", { err: new Error("login with password=hunter2 refused"), error: new TypeError("token: abcdef") });
  const line = JSON.parse(lines[0]!) as { err: unknown; error: unknown };
  assert.deepEqual(line.err, { name: "Error", message: "login with password=•••• refused" });
  assert.deepEqual(line.error, { name: "TypeError", message: "token: ••••" });
});

test("a secret nested deeper than redaction looks is dropped, never written", () => {
  const { lines, log } = capture();
  let deep: Record<string, unknown> = { apiKey: "deep-secret-value" };
  for (let i = 0; i < 10; i++) deep = { next: deep };
  log.info("deep", { deep });
  assert.doesNotMatch(lines[0]!, /deep-secret-value/);
  assert.match(lines[0]!, /\[too deep\]/);
});

test("a circular object is logged, not thrown", () => {
  const { lines, log } = capture();
  const loop: Record<string, unknown> = { name: "loop" };
  loop.self = loop;
  assert.doesNotThrow(() => log.info("circular", { loop }));
  assert.equal(JSON.parse(lines[0]!).loop.name, "loop");
});

test("a message is written as given: no printf-style formatting", () => {
  const { lines, log } = capture();
  log.info("100% done %s %d", { n: 1 });
  assert.equal(JSON.parse(lines[0]!).msg, "100% done %s %d");
});

test("by default lines go to stderr, written before the call returns", () => {
  const logModule = fileURLToPath(new URL("../../../src/core/log.ts", import.meta.url));
  // The process exits at once after logging: a buffered line would be lost.
  const script = `import { createLogger } from ${JSON.stringify(logModule)};
    createLogger({ level: "info" }).info("bye", { clientSecret: "s3cr3t-value" });
    createLogger({ level: "info" }).debug("not shown");
    process.exit(3);`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, SWITCHBOARD_LOG_LEVEL: "" } });
  assert.equal(result.status, 3, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.msg, "bye");
  assert.equal(line.clientSecret, "••••");
});

test("an unknown SWITCHBOARD_LOG_LEVEL logs at info", () => {
  const saved = process.env.SWITCHBOARD_LOG_LEVEL;
  process.env.SWITCHBOARD_LOG_LEVEL = "verbose";
  try {
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    log.debug("hidden");
    log.info("shown");
    assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ["shown"]);
  } finally {
    if (saved === undefined) delete process.env.SWITCHBOARD_LOG_LEVEL;
    else process.env.SWITCHBOARD_LOG_LEVEL = saved;
  }
});
