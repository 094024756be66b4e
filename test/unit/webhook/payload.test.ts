import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_METADATA_BYTES, parseInboundMessage, readReplyReference, toEnvelope } from "../../../src/channels/webhook/payload.ts";

function parsed(body: unknown) {
  const result = parseInboundMessage(body);
  if (!result.ok) throw new Error(result.error);
  return result.message;
}

describe("webhook inbound messages", () => {
  it("a minimal message is a DM with its user, keyed by the caller's id", () => {
    const envelope = toEnvelope("hook", "webhook", parsed({ id: "m-1", user: { id: "u-1", name: "Ann", email: "ann@example.com" }, text: "hi" }));
    assert.equal(envelope.eventId, "m-1");
    assert.equal(envelope.source, "webhook");
    assert.deepEqual(envelope.conversation, { id: "u-1", kind: "dm" });
    assert.deepEqual(envelope.sender, { id: "u-1", name: "Ann", email: "ann@example.com" });
    assert.equal(envelope.thread, undefined);
    assert.deepEqual(readReplyReference(envelope.replyRef), { inReplyTo: "m-1", kind: "dm" });
  });

  it("a named conversation is a group unless it says dm; thread, attachments and metadata are kept", () => {
    const message = parsed({
      id: "m-2",
      user: { id: "u-1" },
      text: "see file",
      conversation: { id: "room-1" },
      thread: "t-9",
      attachments: [{ name: "a.pdf", mimeType: "application/pdf", size: 12, url: "https://files.example.com/a.pdf" }],
      metadata: { ticket: 7 },
    });
    const envelope = toEnvelope("hook", "webhook", message);
    assert.deepEqual(envelope.conversation, { id: "room-1", kind: "group" });
    assert.equal(envelope.thread, "t-9");
    assert.equal(envelope.attachments[0]!.name, "a.pdf");
    assert.deepEqual(readReplyReference(envelope.replyRef), { inReplyTo: "m-2", kind: "group", metadata: { ticket: 7 } });
    assert.equal(toEnvelope("hook", "webhook", parsed({ id: "m-3", user: { id: "u" }, text: "x", conversation: { id: "c", kind: "dm" } })).conversation.kind, "dm");
  });

  it("attachments alone are enough; an empty message is not", () => {
    assert.equal(parseInboundMessage({ id: "m", user: { id: "u" }, attachments: [{ name: "photo.jpg" }] }).ok, true);
    const empty = parseInboundMessage({ id: "m", user: { id: "u" }, text: "   " });
    assert.match(!empty.ok ? empty.error : "", /text: give a non-empty text/);
  });

  it("every problem is named with its path", () => {
    const result = parseInboundMessage({ id: "", user: { id: 5 }, text: "x", attachments: [{ name: "f", url: "file:///etc/passwd" }], extra: true });
    assert.equal(result.ok, false);
    const error = !result.ok ? result.error : "";
    for (const path of ["id:", "user.id:", "attachments.0.url: must be an http(s) URL", "body: Unrecognized key"]) assert.ok(error.includes(path), `${path} in ${error}`);
  });

  it("metadata is limited in size, since every callback echoes it", () => {
    const big = { blob: "x".repeat(MAX_METADATA_BYTES) };
    const result = parseInboundMessage({ id: "m", user: { id: "u" }, text: "x", metadata: big });
    assert.match(!result.ok ? result.error : "", /metadata: must be at most 4096 bytes/);
  });

  it("a reply reference that is missing or not ours reads as unknown", () => {
    assert.equal(readReplyReference(undefined), undefined);
    assert.equal(readReplyReference("not json"), undefined);
    assert.equal(readReplyReference('{"other":1}'), undefined);
  });
});
