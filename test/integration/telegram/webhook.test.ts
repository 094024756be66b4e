import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createTelegramChannel } from "../../../src/channels/telegram/index.ts";
import { startTelegramEmulator, type TelegramEmulator } from "../../emulators/telegram/index.ts";
import { runChannelContract } from "../../channels/contract.ts";
import { closedPort } from "../../helpers/net.ts";
import { postJson, waitFor } from "../../helpers/gateway.ts";
import { botMessages, echoAgent, SECRET_TOKEN, startTelegramSetup, type TelegramSetup } from "./setup.ts";

describe("Telegram webhook mode", () => {
  let s: TelegramSetup;
  let failOnce = new Set<string>();
  before(async () => {
    s = await startTelegramSetup({
      mode: "webhook",
      emulator: { webhookRetryDelaysMs: [50] },
      config: { defaultAgent: "echo" },
      setup: (gw) => {
        gw.addAgent("echo", echoAgent);
        gw.use({
          accept: async (ctx, next) => {
            if (failOnce.delete(ctx.envelope.text)) throw new Error("the store is briefly unavailable");
            await next();
          },
        });
      },
    });
  });
  after(() => s.stop());

  const update = (text: string, updateId: number) => ({
    update_id: updateId,
    message: { message_id: updateId, date: 1_700_000_000, chat: { id: s.emulator.alice.id, type: "private", first_name: "Alice" }, from: { id: s.emulator.alice.id, is_bot: false, first_name: "Alice" }, text },
  });

  it("Telegram's signed delivery (secret token header) is accepted and answered", async () => {
    s.emulator.say({ text: "over the webhook" });
    const [reply] = await botMessages(s.emulator, s.emulator.alice.id);
    assert.equal(reply!.text, "ok: over the webhook");
    assert.equal(s.emulator.webhookAttempts.at(-1)!.status, 200);
  });

  it("a wrong or missing secret token is refused with 401, and nothing is accepted; the right one is answered", async () => {
    const body = update("let me in", 9001);
    const wrong = await postJson(s.webhookUrl, body, { "x-telegram-bot-api-secret-token": "not-the-secret" });
    assert.equal(wrong.status, 401);
    const missing = await postJson(s.webhookUrl, body);
    assert.equal(missing.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(!s.emulator.sent().some((m) => m.text === "ok: let me in"), "refused requests were not answered");
    const right = await postJson(s.webhookUrl, body, { "x-telegram-bot-api-secret-token": SECRET_TOKEN });
    assert.equal(right.status, 200);
    await waitFor(() => s.emulator.sent().some((m) => m.text === "ok: let me in"), { what: "the reply to the genuine request" });
  });

  it("a tampered body (not a Telegram update) is refused with 400", async () => {
    const tampered = await postJson(s.webhookUrl, { update_id: "1; drop table", message: { text: "hi" } }, { "x-telegram-bot-api-secret-token": SECRET_TOKEN });
    assert.equal(tampered.status, 400);
    const garbage = await postJson(s.webhookUrl, "{not json", { "x-telegram-bot-api-secret-token": SECRET_TOKEN });
    assert.equal(garbage.status, 400);
  });

  it("the same update delivered twice yields one reply", async () => {
    const chat = s.emulator.bob.id;
    const { update: delivered } = s.emulator.say({ user: s.emulator.bob, text: "only once please" });
    await botMessages(s.emulator, chat, 1);
    assert.equal(await s.emulator.redeliver(delivered), 200, "the redelivery is acknowledged");
    assert.equal(await s.emulator.redeliver(delivered), 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(s.emulator.sent(chat).map((m) => m.text), ["ok: only once please"]);
  });

  it("a failed accept answers 5xx, Telegram delivers again, and the user gets one reply", async () => {
    failOnce = new Set(["try again"]);
    const { update: delivered } = s.emulator.say({ text: "try again" });
    await waitFor(() => s.emulator.sent(s.emulator.alice.id).some((m) => m.text === "ok: try again"), { what: "the reply after the redelivery" });
    const attempts = s.emulator.webhookAttempts.filter((a) => a.updateId === delivered.update_id).map((a) => a.status);
    assert.deepEqual(attempts, [503, 200]);
    assert.equal(s.emulator.sent(s.emulator.alice.id).filter((m) => m.text === "ok: try again").length, 1);
  });

  it("an unknown subpath is a 404", async () => {
    const response = await postJson(`${s.webhookUrl}/elsewhere`, {}, { "x-telegram-bot-api-secret-token": SECRET_TOKEN });
    assert.equal(response.status, 404);
  });
});

describe("Telegram webhook mode with setWebhook on start", () => {
  it("registers <publicUrl>/channels/<id> with the secret token, and is delivered to", async () => {
    const port = await closedPort();
    const s = await startTelegramSetup({
      mode: "webhook",
      channel: { setWebhook: true, publicUrl: `http://127.0.0.1:${port}/` },
      config: { defaultAgent: "echo", server: { port } },
      setup: (gw) => gw.addAgent("echo", echoAgent),
    });
    try {
      assert.deepEqual(s.emulator.webhook, { url: `http://127.0.0.1:${port}/channels/telegram`, secretToken: SECRET_TOKEN });
      s.emulator.say({ text: "registered" });
      const [reply] = await botMessages(s.emulator, s.emulator.alice.id);
      assert.equal(reply!.text, "ok: registered");
    } finally {
      await s.stop();
    }
  });
});

describe("the Telegram channel against the emulator", () => {
  let emulator: TelegramEmulator;
  before(async () => {
    emulator = await startTelegramEmulator();
  });
  after(() => emulator.close());
  runChannelContract("telegram (polling)", (id) => createTelegramChannel({ id, botToken: emulator.token, apiRoot: emulator.url, pollTimeoutSeconds: 1 }));
  runChannelContract("telegram (webhook)", (id) => createTelegramChannel({ id, botToken: emulator.token, apiRoot: emulator.url, mode: "webhook", secretToken: SECRET_TOKEN }));
});
