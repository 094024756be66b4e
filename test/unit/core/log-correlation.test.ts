/**
 * A message's key (`channel:eventId`) is its correlation id in the log: the lines its accept and
 * its turn write carry it, so an operator can follow one message from ingress to its reply.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createGateway } from "../../../src/switchboard.ts";
import { createLogger } from "../../../src/core/log.ts";

interface Line {
  msg: string;
  messageKey?: string;
  messageKeys?: string[];
  sessionId?: string;
  turnId?: string;
}

test("a turn's log lines carry the key of the message it answers", async () => {
  const lines: Line[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line) as Line) });
  const gw = createGateway({ config: { store: "sqlite::memory:", defaultAgent: "echo", channels: {} }, listen: false, log });
  gw.addAgent("echo", (input) => {
    if (input.text === "break") throw new Error("agent broke");
    return `echo: ${input.text}`;
  });
  await gw.start();
  try {
    const ok = await gw.send({ user: "corr-alice", id: "evt-ok" }, "hello");
    await gw.send({ user: "corr-alice", id: "evt-broken" }, "break");

    const completed = lines.filter((l) => l.msg === "turn completed");
    assert.deepEqual(completed.map((l) => l.messageKey), ["sdk:evt-ok", "sdk:evt-broken"]);
    assert.equal(completed[0]!.sessionId, ok.session);
    assert.ok(completed.every((l) => l.turnId !== undefined && l.messageKeys === undefined), "one message per turn: no list");
    const failed = lines.find((l) => l.msg === "agent failed");
    assert.equal(failed?.messageKey, "sdk:evt-broken");
  } finally {
    await gw.stop();
  }
});

test("a refused message's log line carries its key", async () => {
  const lines: Line[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line) as Line) });
  const gw = createGateway({
    config: { store: "sqlite::memory:", defaultAgent: "echo", channels: {}, limits: { perSender: "1/min" } },
    listen: false,
    log,
  });
  gw.addAgent("echo", (input) => `echo: ${input.text}`);
  await gw.start();
  try {
    await gw.send({ user: "corr-bob", id: "evt-1" }, "first");
    await assert.rejects(gw.send({ user: "corr-bob", id: "evt-2" }, "second"), /rate limit/);
    const refused = lines.find((l) => l.msg === "message refused by a rate limit");
    assert.equal(refused?.messageKey, "sdk:evt-2");
  } finally {
    await gw.stop();
  }
});
