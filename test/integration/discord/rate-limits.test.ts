import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { botMessages, startDiscordSetup, type DiscordSetup } from "./setup.ts";

/** Five parts of about 1,900 characters each, numbered so order and completeness can be checked. */
const fiveParts = Array.from({ length: 5 }, (_, part) => Array.from({ length: 19 }, (_, line) => `part ${part} line ${line} ${"y".repeat(80)}`).join("\n")).join("\n\n");

describe("Discord rate limits: replies are delayed, never lost", () => {
  let s: DiscordSetup;

  before(async () => {
    s = await startDiscordSetup({
      // Two posts per second per channel; waits up to 2 s (the default) are done inside the REST
      // client, longer ones go back to the durable outbox.
      emulator: { rateLimits: { "POST /channels/{channel}/messages": { limit: 2, windowMs: 1_000 } } },
      config: { defaultAgent: "worker" },
      setup: (gw) => gw.addAgent("worker", async (input) => (input.text === "long" ? fiveParts : `ok: ${input.text}`)),
    });
    s.emulator.addChannel("800", { dm: true });
    s.emulator.addChannel("801", { dm: true });
  });
  after(() => s.stop());

  it("a five-part reply through a bucket of two per second arrives complete and in order", async () => {
    s.emulator.say({ user: "42", channel: "800", content: "long" });
    const parts = await botMessages(s.emulator, "800", 5, 15_000);
    assert.equal(parts.length, 5);
    for (const message of parts) assert.ok(message.content.length <= 2_000);
    const lines = parts.flatMap((message) => message.content.split("\n")).filter(Boolean);
    const expected = fiveParts.split("\n").filter(Boolean);
    assert.deepEqual(lines, expected, "every line once, in order");
    const spanMs = Date.parse(parts[4]!.timestamp) - Date.parse(parts[0]!.timestamp);
    assert.ok(spanMs >= 1_000, `the bucket spaced the posts (${spanMs} ms)`);
    assert.equal(s.emulator.refusals.length, 0, "the client read the bucket headers and waited instead of hitting 429s");
    await sleep(300);
    assert.equal(s.emulator.botMessages("800").length, 5, "no part twice");
  });

  it("an injected 429 (retry_after 2.5 s, over the in-place limit) delays the reply through the outbox, and it arrives exactly once", async () => {
    s.emulator.injectRateLimit({ route: "POST /channels/{channel}/messages", retryAfterMs: 2_500 });
    const refusalsBefore = s.emulator.refusals.filter((r) => r.injected).length;
    const asked = s.emulator.say({ user: "42", channel: "801", content: "are you there?" });
    const started = Date.now();
    const [reply] = await botMessages(s.emulator, "801", 1, 15_000);
    assert.equal(reply!.content, "ok: are you there?");
    assert.equal(reply!.message_reference?.message_id, asked.id);
    assert.equal(s.emulator.refusals.filter((r) => r.injected).length, refusalsBefore + 1, "the 429 was served");
    assert.ok(Date.now() - started >= 2_400, "waited out retry_after");
    await sleep(300);
    assert.equal(s.emulator.botMessages("801").length, 1);
  });
});
