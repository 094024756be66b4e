import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { signedHeaders } from "../../emulators/whatsapp/index.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { sentTo, startWhatsAppSetup, type WhatsAppSetup } from "./setup.ts";

describe("WhatsApp webhook: verification, signatures, redelivery", () => {
  let s: WhatsAppSetup;
  const seen: Array<{ text: string; sender: string; name?: string; attachments: unknown[] }> = [];
  let failAccepts = 0;

  before(async () => {
    s = await startWhatsAppSetup({
      config: { defaultAgent: "recorder" },
      setup: (gw) => {
        gw.addAgent("recorder", async (input) => {
          const m = input.messages[0]!;
          seen.push({ text: input.text, sender: m.sender.id, ...(m.sender.name ? { name: m.sender.name } : {}), attachments: m.attachments });
          return `ok: ${input.text}`;
        });
        gw.use({
          accept: async (_ctx, next) => {
            if (failAccepts > 0) {
              failAccepts--;
              throw new Error("the store is briefly unavailable");
            }
            await next();
          },
        });
      },
    });
  });
  after(() => s.stop());

  it("answers Meta's verification GET with the challenge as plain text, and 403 for a wrong verify token", async () => {
    const good = await s.emulator.verifyWebhook({ challenge: "1158201444" });
    assert.deepEqual(good, { ok: true, status: 200, body: "1158201444" });
    const bad = await s.emulator.verifyWebhook({ verifyToken: "guessed-token" });
    assert.equal(bad.status, 403);
    assert.equal(bad.ok, false);
    const noMode = await fetch(`${s.webhookUrl}?hub.challenge=1&hub.verify_token=${s.emulator.verifyToken}`);
    assert.equal(noMode.status, 403);
  });

  it("accepts a correctly signed message and replies to the user", async () => {
    const delivery = await s.emulator.userMessage({ from: "15550001001", name: "Alice", text: "hello there" });
    assert.equal(delivery.acked, true);
    assert.equal(delivery.attempts[0]!.status, 200);
    const [reply] = await sentTo(s.emulator, "15550001001");
    assert.equal(reply!.text, "ok: hello there");
    assert.equal(reply!.previewUrl, false);
    assert.ok(seen.some((m) => m.text === "hello there" && m.sender === "15550001001" && m.name === "Alice"));
  });

  it("refuses a tampered body and a body signed with the wrong secret (401), and answers neither", async () => {
    const delivered = await s.emulator.userMessage({ from: "15550001002", text: "original" });
    await sentTo(s.emulator, "15550001002");
    const original = JSON.stringify(delivered.body);
    const tampered = original.replace("original", "tampered");
    const headers = signedHeaders(s.emulator.appSecret, original);
    const forged = await s.emulator.postRaw(tampered, headers);
    assert.equal(forged.status, 401);
    const wrongSecret = tampered.replace(/wamid\.[^"]+/, "wamid.OTHER");
    const wrong = await s.emulator.postRaw(wrongSecret, signedHeaders("not-the-app-secret", wrongSecret));
    assert.equal(wrong.status, 401);
    const unsigned = await s.emulator.postRaw(wrongSecret, { "content-type": "application/json" });
    assert.equal(unsigned.status, 401);
    await sleep(200);
    assert.equal(seen.filter((m) => m.text === "tampered").length, 0);
    assert.deepEqual(s.emulator.sent("15550001002").map((m) => m.text), ["ok: original"]);
  });

  it("the same wamid delivered twice yields exactly one reply", async () => {
    const first = await s.emulator.userMessage({ from: "15550001003", text: "only once please" });
    await sentTo(s.emulator, "15550001003");
    const again = await s.emulator.redeliver(first);
    assert.equal(again.acked, true, "a redelivery is acknowledged");
    await s.emulator.userMessage({ from: "15550001003", text: "only once please", id: first.id });
    await sleep(400);
    assert.deepEqual(s.emulator.sent("15550001003").map((m) => m.text), ["ok: only once please"]);
    assert.equal(seen.filter((m) => m.text === "only once please").length, 1);
  });

  it("a failed accept gets a 5xx, Meta redelivers, and the user still gets one reply", async () => {
    failAccepts = 1;
    const delivery = await s.emulator.userMessage({ from: "15550001004", text: "second time lucky" });
    assert.deepEqual(
      delivery.attempts.map((a) => [a.attempt, a.status]),
      [
        [0, 503],
        [1, 200],
      ],
    );
    await sentTo(s.emulator, "15550001004");
    await sleep(200);
    assert.deepEqual(s.emulator.sent("15550001004").map((m) => m.text), ["ok: second time lucky"]);
  });

  it("takes media, interactive replies and locations as text the agent can read", async () => {
    const mediaId = s.emulator.addMedia("%PDF-1.4 fake", "application/pdf");
    await s.emulator.userMessage({ from: "15550001005", content: { type: "document", document: { id: mediaId, mime_type: "application/pdf", filename: "invoice.pdf", caption: "my invoice" } } });
    await s.emulator.userMessage({ from: "15550001005", content: { type: "image", image: { id: s.emulator.addMedia("jpg", "image/jpeg"), mime_type: "image/jpeg" } } });
    await s.emulator.userMessage({ from: "15550001005", content: { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes-1", title: "Yes, please" } } } });
    await s.emulator.userMessage({ from: "15550001005", content: { type: "interactive", interactive: { type: "list_reply", list_reply: { id: "row-2", title: "Tomorrow", description: "after 9" } } } });
    await s.emulator.userMessage({ from: "15550001005", content: { type: "location", location: { latitude: 52.52, longitude: 13.405, name: "Alexanderplatz" } } });
    await sentTo(s.emulator, "15550001005", 5);
    const texts = seen.filter((m) => m.sender === "15550001005");
    assert.equal(texts[0]!.text, "my invoice");
    assert.deepEqual(
      texts.slice(2).map((m) => m.text),
      ["Yes, please", "Tomorrow", "[location] Alexanderplatz (52.52, 13.405)"],
    );
    assert.match(texts[1]!.text, /^\[image: image-\d+\.jpg\]$/);
    assert.deepEqual(texts[0]!.attachments, [{ name: "invoice.pdf", mimeType: "application/pdf" }]);
  });

  it("acknowledges unsupported messages and delivery statuses without answering them", async () => {
    const reaction = await s.emulator.userMessage({ from: "15550001006", content: { type: "reaction", reaction: { message_id: "wamid.X", emoji: "👍" } } });
    assert.equal(reaction.acked, true);
    await sleep(300);
    assert.equal(s.emulator.sent("15550001006").length, 0);
    // Every reply above produced `sent` and `delivered` status webhooks; all were acknowledged.
    await waitFor(() => s.emulator.deliveries.filter((d) => JSON.stringify(d.body).includes('"statuses"')).length > 0, { what: "status webhooks" });
    assert.ok(s.emulator.deliveries.filter((d) => JSON.stringify(d.body).includes('"statuses"')).every((d) => d.acked || d.attempts.length === 0));
  });

  it("marks accepted messages read, and shows typing while the agent works", async () => {
    const delivery = await s.emulator.userMessage({ from: "15550001007", text: "are you there?" });
    await sentTo(s.emulator, "15550001007");
    await waitFor(() => s.emulator.reads.filter((r) => r.messageId === delivery.id).length >= 2, { what: "read receipt and typing" });
    const reads = s.emulator.reads.filter((r) => r.messageId === delivery.id);
    assert.ok(reads.some((r) => !r.typing), "a plain read receipt after the accept");
    assert.ok(reads.some((r) => r.typing), "a typing indicator for the turn");
  });
});
