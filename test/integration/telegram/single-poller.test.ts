import { describe, it, after, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { startTelegramEmulator, type TelegramEmulator } from "../../emulators/telegram/index.ts";
import { tempDir, waitFor } from "../../helpers/gateway.ts";
import { startTelegramSetup, type TelegramSetup } from "./setup.ts";

describe("Telegram: one long poller per bot across gateways on one store", () => {
  let emulator: TelegramEmulator;
  let dir: string;
  let first: TelegramSetup | undefined;
  let second: TelegramSetup | undefined;
  before(async () => {
    emulator = await startTelegramEmulator();
    dir = tempDir("switchboard-telegram-pair-");
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Agent runs across both gateways: one per message means each update was accepted once. */
  const runs: string[] = [];
  const agent = async (input: { text: string }) => {
    runs.push(input.text);
    return `ok: ${input.text}`;
  };
  const said: string[] = [];
  const say = (text: string) => {
    said.push(text);
    emulator.say({ text });
  };
  const replied = () => new Set(emulator.sent().map((m) => m.text));
  const allAnswered = () => said.every((text) => replied().has(`ok: ${text}`));

  it("two gateways never both poll (zero 409s), and when the poller stops the other takes over, losing nothing", async () => {
    const store = `sqlite:${join(dir, "shared.db")}`;
    const start = () => startTelegramSetup({ reuse: emulator, config: { store, defaultAgent: "echo" }, setup: (gw) => gw.addAgent("echo", agent) });
    first = await start();
    second = await start();
    await waitFor(() => first!.channel.polling !== second!.channel.polling, { what: "exactly one poller" });

    for (let i = 0; i < 5; i++) say(`before ${i}`);
    await waitFor(allAnswered, { what: "five replies" });
    // Several lease renewals (every 300 ms) pass with both gateways running.
    await sleep(1_000);
    assert.equal([first, second].filter((s) => s!.channel.polling).length, 1, "one poller");

    const [poller, standby] = first.channel.polling ? [first, second] : [second, first];
    const pollsBefore = emulator.polls;
    await poller.stop();
    if (poller === first) first = undefined;
    else second = undefined;
    for (let i = 0; i < 5; i++) say(`after ${i}`);
    await waitFor(() => standby.channel.polling, { what: "the standby to take over" });
    await waitFor(allAnswered, { what: "ten replies" });
    await waitFor(() => emulator.pendingUpdates().length === 0, { what: "every update confirmed" });

    assert.ok(emulator.polls > pollsBefore, "the standby polled");
    assert.equal(emulator.conflicts, 0, "Telegram never saw two concurrent getUpdates");
    assert.deepEqual([...runs].sort(), [...said].sort(), "every message accepted and run exactly once");
  });

  it("…and every message gets exactly one reply, though both gateways run an outbox on the same store", () => {
    const texts = emulator.sent().map((m) => m.text);
    assert.equal(texts.length, new Set(texts).size, `duplicates: ${texts.join(", ")}`);
    assert.equal(texts.length, said.length);
  });
});
