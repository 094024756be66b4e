import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentEvent } from "../../../src/core/agent.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { startDiscordSetup, type DiscordSetup } from "./setup.ts";

async function* streamed(text: string, pieces: number): AsyncGenerator<AgentEvent> {
  const size = Math.ceil(text.length / pieces);
  for (let i = 0; i < text.length; i += size) {
    yield { type: "text.delta", text: text.slice(i, i + size) };
    await sleep(30);
  }
  yield { type: "message", text };
}

describe("Discord streaming by edits", () => {
  let s: DiscordSetup;
  const answer = "The answer grows word by word until it is complete, and then it stays.";

  before(async () => {
    s = await startDiscordSetup({
      channel: { streaming: "edit", editIntervalMs: 50 },
      config: { defaultAgent: "writer" },
      setup: (gw) => gw.addAgent("writer", () => streamed(answer, 8)),
    });
    s.emulator.addChannel("900", { dm: true });
  });
  after(() => s.stop());

  it("shows one message that is edited into the whole answer", async () => {
    s.emulator.say({ user: "42", channel: "900", content: "stream please" });
    const [message] = await waitFor(
      () => {
        const messages = s.emulator.botMessages("900");
        return messages[0]?.content === answer ? messages : undefined;
      },
      { what: "the streamed answer" },
    );
    assert.ok(message!.history.length >= 2, `edited ${message!.history.length - 1} times`);
    assert.ok(answer.startsWith(message!.history[0]!), "the first version is the start of the answer");
    await sleep(300);
    assert.equal(s.emulator.botMessages("900").length, 1, "one message, not one per piece");
  });

  it("streams a slash command's answer into its original response", async () => {
    const delivery = await s.emulator.slashCommand({ user: "42", channel: "901", text: "stream it" });
    const original = await waitFor(() => (s.emulator.interaction(delivery.token)?.original?.content === answer ? s.emulator.interaction(delivery.token)!.original : undefined), {
      what: "the streamed original response",
    });
    assert.ok(original.history.length >= 3, "the deferred response, then edits");
    assert.equal(s.emulator.interaction(delivery.token)!.followUps.length, 0);
  });
});
