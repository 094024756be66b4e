import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { automaticReason } from "../../src/channels/email/loop.ts";
import type { ParsedMail } from "../../src/channels/email/parse.ts";
import { parseMail } from "../../src/channels/email/parse.ts";

const own = ["agent@agent.example.com"];
const fixture = (name: string) => parseMail(readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url)));
const mail = (from: string, headers: Record<string, string> = {}): ParsedMail => ({
  messageId: "m@x",
  inReplyTo: undefined,
  references: [],
  subject: "Hello",
  from: { address: from },
  to: own,
  cc: [],
  date: undefined,
  text: "hi",
  fullText: "hi",
  attachments: [],
  headers: new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
});

describe("automaticReason: fixtures", () => {
  it("answers replies people wrote in Gmail, Outlook, Apple Mail and plain HTML", async () => {
    for (const name of ["gmail-reply.eml", "outlook-reply.eml", "apple-mail-reply.eml", "html-only.eml", "base64.eml", "quoted-printable.eml", "iso-8859-1.eml", "windows-1252.eml"]) {
      assert.equal(automaticReason(await fixture(name), own), undefined, name);
    }
  });

  it("does not answer an out-of-office autoresponder", async () => {
    assert.equal(automaticReason(await fixture("autoresponder.eml"), own), "Auto-Submitted: auto-replied");
  });

  it("does not answer a bounce", async () => {
    assert.equal(automaticReason(await fixture("bounce.eml"), own), "bounce: empty Return-Path <>");
  });

  it("does not answer a mailing-list mail", async () => {
    assert.equal(automaticReason(await fixture("mailing-list.eml"), own), "Precedence: list");
  });
});

describe("automaticReason: each signal on its own", () => {
  it("skips mail from our own address, in any case", () => {
    assert.equal(automaticReason(mail("agent@agent.example.com"), ["Agent@Agent.example.com"]), "sent from our own address agent@agent.example.com");
  });

  it("reads Auto-Submitted, answering only 'no'", () => {
    assert.equal(automaticReason(mail("a@x.com", { "Auto-Submitted": "auto-generated" }), own), "Auto-Submitted: auto-generated");
    assert.equal(automaticReason(mail("a@x.com", { "Auto-Submitted": "No" }), own), undefined);
  });

  it("reads Precedence bulk, list and junk", () => {
    for (const value of ["bulk", "list", "junk", "Bulk"]) {
      assert.equal(automaticReason(mail("a@x.com", { Precedence: value }), own), `Precedence: ${value.toLowerCase()}`);
    }
  });

  it("reads List-Id and List-Unsubscribe", () => {
    assert.equal(automaticReason(mail("a@x.com", { "List-Id": "<dev.lists.x.com>" }), own), "mailing list: List-Id <dev.lists.x.com>");
    assert.equal(automaticReason(mail("a@x.com", { "List-Unsubscribe": "<mailto:u@x.com>" }), own), "mailing list: List-Unsubscribe");
  });

  it("reads X-Autoreply and X-Autorespond", () => {
    assert.equal(automaticReason(mail("a@x.com", { "X-Autoreply": "yes" }), own), "autoresponder: x-autoreply header");
    assert.equal(automaticReason(mail("a@x.com", { "X-Autorespond": "x" }), own), "autoresponder: x-autorespond header");
  });

  it("skips noreply, no-reply, mailer-daemon and postmaster senders", () => {
    for (const from of ["noreply@x.com", "no-reply@x.com", "No_Reply+123@x.com", "donotreply@x.com", "mailer-daemon@x.com", "postmaster@x.com"]) {
      assert.equal(automaticReason(mail(from), own), `machine sender ${from.toLowerCase()}`);
    }
    assert.equal(automaticReason(mail("noreplyfan@x.com"), own), undefined);
  });

  it("sees a bounce by its empty Return-Path or a delivery-status report", () => {
    assert.equal(automaticReason(mail("a@x.com", { "Return-Path": "<>" }), own), "bounce: empty Return-Path <>");
    assert.equal(
      automaticReason(mail("a@x.com", { "Content-Type": 'multipart/report; report-type="delivery-status"; boundary="b"' }), own),
      "bounce: delivery status report",
    );
  });
});
