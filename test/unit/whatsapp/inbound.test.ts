import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { webhookItems, type WebhookItem } from "../../../src/channels/whatsapp/inbound.ts";
import { waWebhook } from "../../../src/channels/whatsapp/payload.ts";

function payload(value: Record<string, unknown>, field = "messages") {
  return waWebhook.parse({
    object: "whatsapp_business_account",
    entry: [{ id: "WABA", changes: [{ field, value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: "106540352242922" }, ...value } }] }],
  });
}

const message = (extra: Record<string, unknown>) => ({ from: "16315551181", id: "wamid.ABC", timestamp: "1700000000", ...extra });
const only = (items: WebhookItem[]) => {
  assert.equal(items.length, 1);
  return items[0]!;
};

describe("WhatsApp webhook payload → messages", () => {
  it("reads a text message with the sender's profile name, the business number and the send time", () => {
    const item = only(webhookItems(payload({ contacts: [{ profile: { name: "Kerry" }, wa_id: "16315551181" }], messages: [message({ type: "text", text: { body: "Hello" } })] })));
    assert.equal(item.kind, "message");
    if (item.kind !== "message") return;
    assert.deepEqual(
      { eventId: item.message.eventId, from: item.message.from, name: item.message.name, phone: item.message.phoneNumberId, at: item.message.sentAtMs, text: item.message.text },
      { eventId: "wamid.ABC", from: "16315551181", name: "Kerry", phone: "106540352242922", at: 1_700_000_000_000, text: "Hello" },
    );
  });

  it("gives media an attachment with its file name and type, and the caption (or the kind of file) as text", () => {
    const [doc, voice] = webhookItems(
      payload({
        messages: [
          message({ type: "document", document: { id: "111", mime_type: "application/pdf", filename: "report.pdf", caption: "Q3" } }),
          message({ id: "wamid.V", type: "audio", audio: { id: "222", mime_type: "audio/ogg; codecs=opus", voice: true } }),
        ],
      }),
    );
    assert.ok(doc?.kind === "message" && voice?.kind === "message");
    assert.equal(doc.message.text, "Q3");
    assert.deepEqual(doc.message.attachments, [{ name: "report.pdf", mimeType: "application/pdf" }]);
    assert.equal(voice.message.text, "[audio: audio-222.ogg]");
  });

  it("uses the title of a tapped button or list row, and the text of a template button", () => {
    const items = webhookItems(
      payload({
        messages: [
          message({ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "b1", title: "Yes" } } }),
          message({ type: "interactive", interactive: { type: "list_reply", list_reply: { id: "r2", title: "Option two", description: "d" } } }),
          message({ type: "button", button: { text: "Stop promotions", payload: "STOP" } }),
        ],
      }),
    );
    assert.deepEqual(items.map((i) => (i.kind === "message" ? i.message.text : i.kind)), ["Yes", "Option two", "Stop promotions"]);
  });

  it("writes a location as text", () => {
    const item = only(webhookItems(payload({ messages: [message({ type: "location", location: { latitude: 1.5, longitude: -2, name: "Cafe", address: "1 Main St" } })] })));
    assert.equal(item.kind === "message" && item.message.text, "[location] Cafe, 1 Main St (1.5, -2)");
  });

  it("skips reactions and unsupported messages with a reason, and passes statuses on", () => {
    const items = webhookItems(
      payload({
        messages: [message({ type: "reaction", reaction: { message_id: "wamid.X", emoji: "👍" } }), message({ type: "unsupported", errors: [{ code: 131051 }] })],
        statuses: [{ id: "wamid.OUT", status: "delivered", timestamp: "1700000001", recipient_id: "16315551181" }],
      }),
    );
    assert.deepEqual(items.map((i) => i.kind), ["skipped", "skipped", "status"]);
    assert.match(items[1]!.kind === "skipped" ? items[1]!.reason : "", /unsupported.*131051/);
  });

  it("ignores other webhook fields and messages missing their id", () => {
    assert.equal(only(webhookItems(payload({}, "account_update"))).kind, "skipped");
    assert.equal(only(webhookItems(payload({ messages: [{ from: "1", type: "text" }] }))).kind, "skipped");
  });
});
