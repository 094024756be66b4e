import { describe, it, after, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { startTelegramEmulator, type TelegramEmulator } from "../../emulators/telegram/index.ts";
import { tempDir, waitFor } from "../../helpers/gateway.ts";
import { botMessages, echoAgent, startTelegramSetup } from "./setup.ts";

describe("Telegram long polling", () => {
  let emulator: TelegramEmulator;
  let dir: string;
  let store: string;
  before(async () => {
    emulator = await startTelegramEmulator();
    dir = tempDir("switchboard-telegram-");
    store = `sqlite:${join(dir, "shared.db")}`;
  });
  after(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a private message in the private chat, and confirms the update to Telegram", async () => {
    const s = await startTelegramSetup({ reuse: emulator, config: { store, defaultAgent: "echo" }, setup: (gw) => gw.addAgent("echo", echoAgent) });
    try {
      const { message } = emulator.say({ text: "hello there" });
      const [reply] = await botMessages(emulator, emulator.alice.id);
      assert.equal(reply!.text, "ok: hello there");
      assert.equal(reply!.parseMode, "MarkdownV2");
      assert.equal(reply!.replyTo, undefined, "no quote in a private chat");
      assert.ok(message.message_id < reply!.messageId);
      await waitFor(() => emulator.pendingUpdates().length === 0, { what: "the update to be confirmed (offset moved past it)" });
      assert.ok(emulator.calls.some((c) => c.method === "deleteWebhook"), "deleteWebhook before polling");
    } finally {
      await s.stop();
    }
  });

  it("keeps its offset in the store: after a restart, only what came in meanwhile is answered, once", async () => {
    const before = emulator.sent(emulator.bob.id).length;
    emulator.say({ user: emulator.bob, text: "while nobody polls" });
    const s = await startTelegramSetup({ reuse: emulator, config: { store, defaultAgent: "echo" }, setup: (gw) => gw.addAgent("echo", echoAgent) });
    try {
      await botMessages(emulator, emulator.bob.id, before + 1);
      await waitFor(() => emulator.pendingUpdates().length === 0, { what: "confirmation" });
      // Everything said to the first gateway was confirmed: nothing of it is answered again.
      assert.deepEqual(
        emulator.sent(emulator.alice.id).map((m) => m.text),
        ["ok: hello there"],
      );
      assert.deepEqual(emulator.sent(emulator.bob.id).map((m) => m.text), ["ok: while nobody polls"]);
    } finally {
      await s.stop();
    }
  });

  it("a failed accept leaves the offset before the update: it is polled again and answered once", async () => {
    let failures = 1;
    const s = await startTelegramSetup({
      reuse: emulator,
      config: { store, defaultAgent: "echo" },
      setup: (gw) => {
        gw.addAgent("echo", echoAgent);
        gw.use({
          accept: async (ctx, next) => {
            if (ctx.envelope.text === "flaky store" && failures-- > 0) throw new Error("the store is briefly unavailable");
            await next();
          },
        });
      },
    });
    try {
      const chat = emulator.bob.id;
      const already = emulator.sent(chat).length;
      emulator.say({ user: emulator.bob, text: "flaky store" });
      const sent = await botMessages(emulator, chat, already + 1);
      assert.equal(sent.at(-1)!.text, "ok: flaky store");
      assert.equal(failures, -1, "the first accept failed");
      await waitFor(() => emulator.pendingUpdates().length === 0, { what: "confirmation" });
      assert.equal(emulator.sent(chat).length, already + 1, "one reply");
    } finally {
      await s.stop();
    }
  });
});
