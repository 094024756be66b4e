import { describe, it, afterEach } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentEvent, TurnInput } from "../../../src/core/agent.ts";
import { SLACK_MAX_MESSAGE_LENGTH } from "../../../src/channels/slack/index.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { startSlackSetup, type SlackSetup } from "./setup.ts";

/** A reply in markdown, streamed a few words at a time. */
const markdown = [
  "Here is **the plan** for the release:",
  "",
  "1. Freeze the branch",
  "2. Run the [checklist](https://example.com/checklist)",
  "3. Ship it",
  "",
  "```sh",
  "npm run release",
  "```",
  "",
  "| step | owner |",
  "| --- | --- |",
  "| freeze | ann |",
  "| ship | ben |",
].join("\n");

async function* streamed(text: string, delayMs: number): AsyncIterable<AgentEvent> {
  for (const piece of text.match(/[\s\S]{1,12}/g) ?? []) {
    await sleep(delayMs);
    yield { type: "text.delta", text: piece };
  }
  yield { type: "message", text };
}

describe("Slack streaming", () => {
  let s: SlackSetup | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it("with streaming: edit, a long streamed reply is one message edited several times, ending in mrkdwn", async () => {
    s = await startSlackSetup({
      mode: "socket",
      channel: { streaming: "edit", editIntervalMs: 100 },
      config: { defaultAgent: "writer" },
      setup: (gw) => gw.addAgent("writer", () => streamed(markdown, 40)),
    });
    const { emulator, channel } = s;
    const mention = emulator.appMention({ user: "UANN", channel: "CROOM", text: `<@${emulator.botUserId}> plan the release` });
    await emulator.deliverEvent(mention);
    const expected = channel.format(markdown);
    await waitFor(() => emulator.messages("CROOM")[0]?.text === expected, { what: "the final text", timeoutMs: 15_000 });
    await sleep(300);

    const messages = emulator.messages("CROOM");
    assert.equal(messages.length, 1, "one message");
    const [message] = messages;
    assert.equal(message!.thread_ts, mention.ts, "in the mention's thread");
    assert.ok(message!.edits >= 2, `edited ${message!.edits} times`);
    // What a Slack user sees: mrkdwn, not markdown.
    assert.match(message!.text, /\*the plan\*/);
    assert.doesNotMatch(message!.text, /\*\*the plan\*\*/);
    assert.match(message!.text, /<https:\/\/example\.com\/checklist\|checklist>/);
    assert.match(message!.text, /```[\s\S]*freeze[\s\S]*ann[\s\S]*```/, "the table is drawn in a code block");

    const updates = emulator.posts.filter((p) => p.ts === message!.ts);
    assert.equal(updates[0]!.method, "chat.postMessage");
    assert.ok(updates.slice(1).every((p) => p.method === "chat.update"));
    // The message only grows while it streams (an edit never shows less than the one before).
    const lengths = updates.slice(0, -1).map((p) => p.text.replace(/ …$/, "").length);
    assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b));
    // Edits are spaced by the edit interval, never a burst.
    const gaps = updates.slice(1, -1).map((p, i) => p.at - updates[i]!.at);
    assert.ok(gaps.every((gap) => gap >= 90), `gaps between edits: ${gaps.join(", ")} ms`);
  });

  it("with streaming: off, a long reply arrives as ordered chunks, each within the limit", async () => {
    const long = Array.from({ length: 150 }, (_, i) => `- item **${i}** of the inventory, with a few more words`).join("\n");
    s = await startSlackSetup({
      mode: "events",
      channel: { streaming: "off" },
      config: { defaultAgent: "writer" },
      setup: (gw) => gw.addAgent("writer", (_input: TurnInput) => streamed(long, 1)),
    });
    const { emulator, channel } = s;
    assert.equal(channel.capabilities.edit, false);
    await emulator.deliverEvent(emulator.message({ user: "UANN", channel: "DANN", text: "the inventory", channelType: "im" }));
    await waitFor(() => emulator.messages("DANN").some((m) => m.text.includes("item *149*")), { what: "the last chunk", timeoutMs: 15_000 });
    await sleep(300);

    const messages = emulator.messages("DANN");
    assert.ok(messages.length >= 2, `${messages.length} chunks`);
    assert.ok(messages.every((m) => m.text.length <= SLACK_MAX_MESSAGE_LENGTH));
    assert.ok(messages.every((m) => m.edits === 0), "no edits");
    assert.ok(emulator.posts.every((p) => p.method === "chat.postMessage"));
    const items = messages.flatMap((m) => [...m.text.matchAll(/item \*(\d+)\*/g)].map((match) => Number(match[1])));
    assert.deepEqual(items, Array.from({ length: 150 }, (_, i) => i), "every item once, in order");
    assert.equal(messages.map((m) => m.text).join("\n"), channel.format(long));
  });
});
