import { test } from "node:test";
import assert from "node:assert/strict";
import { estimateTokens, fitTranscript } from "../../../src/core/context-budget.ts";
import type { TranscriptEntry } from "../../../src/core/agent.ts";

const entry = (role: TranscriptEntry["role"], text: string): TranscriptEntry => ({ role, text, at: 0 });
const history = Array.from({ length: 10 }, (_, i) => entry(i % 2 ? "assistant" : "user", `message ${i} `.padEnd(40, "x")));

test("a history within the budget is kept whole", () => {
  assert.deepEqual(fitTranscript(history, 10_000), history);
});

test("the oldest entries go first, and the kept part starts with a user message", () => {
  const per = estimateTokens(history[0]!.text);
  const kept = fitTranscript(history, per * 5);
  assert.ok(kept.length < history.length && kept.length > 0);
  assert.equal(kept[0]!.role, "user");
  assert.deepEqual(kept, history.slice(history.length - kept.length));
  assert.ok(kept.reduce((n, e) => n + estimateTokens(e.text), 0) <= per * 5);
});

test("reserved tokens (system prompt, new message) shrink what is kept", () => {
  const per = estimateTokens(history[0]!.text);
  assert.ok(fitTranscript(history, per * 6, per * 4).length < fitTranscript(history, per * 6).length);
  assert.deepEqual(fitTranscript(history, per * 6, per * 6), []);
});
