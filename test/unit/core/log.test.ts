import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../../src/core/log.ts";

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: "debug", write: (line) => lines.push(line) }) };
}

test("fields named like secrets are masked, however deep", () => {
  const { lines, log } = capture();
  log.info("connecting", { botToken: "xoxb-123456789", nested: { apiKey: "abc", list: [{ password: "p" }] }, user: "alice" });
  const line = lines[0]!;
  assert.doesNotMatch(line, /xoxb-123456789|"abc"|"p"/);
  assert.match(line, /"user":"alice"/);
});

test("secrets inside error messages and free text are scrubbed", () => {
  const { lines, log } = capture();
  log.error("agent failed", { error: new Error("db password=hunter2 rejected; Authorization: Bearer abcdefghijkl; url https://bob:s3cret@example.com/x; key sk-ant-abcdef123456") });
  const line = lines[0]!;
  for (const secret of ["hunter2", "abcdefghijkl", "s3cret", "sk-ant-abcdef123456"]) assert.doesNotMatch(line, new RegExp(secret));
  assert.match(line, /db password=•••• rejected/);
});

test("levels below the minimum are dropped", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "warn", write: (line) => lines.push(line) });
  log.info("quiet");
  log.warn("loud");
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]!).msg, "loud");
});

test("generated channel keys and master keys are masked, as fields and inside text", () => {
  const { lines, log } = capture();
  const channelKey = "sbk_Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA";
  log.warn(`caller sent ${channelKey} to the wrong channel`, { masterKey: "c2VjcmV0LW1hc3Rlci1rZXktMzItYnl0ZXMtbG9uZyE", channelKey, error: new Error(`rejected ${channelKey}`) });
  const line = lines[0]!;
  assert.doesNotMatch(line, /Zm9vYmFy|c2VjcmV0/);
  assert.match(line, /caller sent •••• to the wrong channel/);
});
