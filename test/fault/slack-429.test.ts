import { describe, it, afterEach } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { SLACK_MAX_MESSAGE_LENGTH } from "../../src/channels/slack/index.ts";
import { waitFor } from "../helpers/gateway.ts";
import { startSlackSetup, type SlackSetup } from "../integration/slack/setup.ts";

const longReply = Array.from({ length: 120 }, (_, i) => `Line ${String(i).padStart(3, "0")}: ${"all work and no play ".repeat(3).trim()}`).join("\n");

describe("a 429 storm on chat.postMessage", () => {
  let s: SlackSetup | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it("delays replies but loses none and sends none twice (chunked replies stay in order)", async () => {
    s = await startSlackSetup({
      mode: "events",
      channel: { streaming: "off" },
      config: { defaultAgent: "writer", outbox: { baseDelay: "100ms", maxDelay: "5s", maxAttempts: 12 } },
      setup: (gw) => gw.addAgent("writer", (input) => (input.text === "long please" ? longReply : `re: ${input.text}`)),
    });
    const { emulator } = s;
    emulator.failNext("chat.postMessage", 5, { status: 429, retryAfter: 1 });
    const started = Date.now();
    await Promise.all([
      emulator.deliverEvent(emulator.message({ user: "UA", channel: "DA", text: "long please", channelType: "im" })),
      emulator.deliverEvent(emulator.message({ user: "UB", channel: "DB", text: "short one", channelType: "im" })),
      emulator.deliverEvent(emulator.appMention({ user: "UC", channel: "CROOM", text: `<@${emulator.botUserId}> in a thread` })),
    ]);
    const chunks = Math.ceil(longReply.length / SLACK_MAX_MESSAGE_LENGTH);
    assert.ok(chunks >= 3);
    await waitFor(() => emulator.messages("DA").length >= chunks && emulator.messages("DB").length >= 1 && emulator.messages("CROOM").length >= 1, {
      what: "every reply",
      timeoutMs: 20_000,
    });
    const elapsed = Date.now() - started;
    await sleep(1_500); // nothing more may arrive

    const rateLimited = emulator.apiCalls.filter((c) => c.method === "chat.postMessage").length - emulator.posts.filter((p) => p.method === "chat.postMessage").length;
    assert.equal(rateLimited, 5, "five calls were answered 429");
    assert.ok(elapsed >= 1_000, `replies waited out Retry-After (${elapsed} ms)`);

    const long = emulator.messages("DA");
    assert.equal(long.length, chunks, "each chunk once");
    assert.ok(long.every((m) => m.text.length <= SLACK_MAX_MESSAGE_LENGTH));
    assert.equal(long.map((m) => m.text).join("\n"), longReply, "in order, nothing lost");
    assert.deepEqual(emulator.messages("DB").map((m) => m.text), ["re: short one"]);
    assert.deepEqual(emulator.messages("CROOM").map((m) => m.text), ["re: in a thread"]);
  });

  it("with streaming by edits, a rate-limited reply still arrives once, complete", async () => {
    s = await startSlackSetup({
      mode: "events",
      config: { agents: { helper: { kind: "echo", delay: "20ms" } }, outbox: { baseDelay: "100ms", maxDelay: "5s", maxAttempts: 12 } },
    });
    const { emulator } = s;
    emulator.failNext("chat.postMessage", 5, { status: 429, retryAfter: 1 });
    const text = "please stream these words back to me even though Slack is rate limiting the bot right now";
    await emulator.deliverEvent(emulator.message({ user: "UA", channel: "DSTREAM", text, channelType: "im" }));
    await waitFor(() => emulator.messages("DSTREAM").some((m) => m.text === text), { what: "the final reply", timeoutMs: 20_000 });
    await sleep(1_500);
    assert.deepEqual(emulator.messages("DSTREAM").map((m) => m.text), [text]);
  });
});
