import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseMail } from "../../src/channels/email/parse.ts";
import { stripQuotedReply } from "../../src/channels/email/quotes.ts";

const fixture = (name: string) => parseMail(readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url)));

describe("parseMail: replies as mail clients write them", () => {
  it("a Gmail reply yields only the new text, with its wrapped attribution and nested quotes gone", async () => {
    const mail = await fixture("gmail-reply.eml");
    assert.equal(mail.text, "Thanks! Could you ship it to my office instead?\n\nThe address is 12 Harbour Road.\n\nAlice");
    assert.equal(mail.subject, "Re: Your order 1234");
    assert.deepEqual(mail.from, { address: "alice.example@gmail.com", name: "Alice Example" });
    assert.equal(mail.messageId, "CAFx8Yq1=Vb2kP0sG7nQ9tW+abc123@mail.gmail.com");
    assert.equal(mail.inReplyTo, "reply-1@agent.example.com");
    assert.deepEqual(mail.references, ["root-1234@agent.example.com", "reply-1@agent.example.com"]);
    assert.deepEqual(mail.to, ["agent@agent.example.com"]);
    assert.deepEqual(mail.cc, ["bob@example.org"]);
    assert.match(mail.fullText, /> Your order 1234 has shipped\./);
  });

  it("an Outlook reply stops at the From:/Sent: header block and lists the attachment as metadata", async () => {
    const mail = await fixture("outlook-reply.eml");
    assert.equal(mail.text, "Hi,\n\nthe amount on line 3 looks wrong. I attached our purchase order for comparison.\n\nKind regards\nJonas Meyer");
    assert.equal(mail.subject, "RE: Invoice 2026-0042");
    assert.deepEqual(mail.from, { address: "jonas.meyer@contoso.example", name: "Meyer, Jonas" });
    assert.deepEqual(mail.attachments, [{ name: "PO-7781.pdf", mimeType: "application/pdf", size: 12 }]);
  });

  it("an Apple Mail reply drops 'Sent from my iPhone' and the quoted attribution", async () => {
    const mail = await fixture("apple-mail-reply.eml");
    assert.equal(mail.text, "Perfect, 7 pm works for us — table for four please.");
    assert.deepEqual(mail.from, { address: "zoe@icloud.example", name: "Zoë Martin" });
    assert.equal(mail.messageId, "5E3A9C1D-77B2-4F10-8C6A-2B9D0E4F1A23@icloud.example");
  });

  it("HTML-only mail becomes text, without its signature or blockquote type=cite", async () => {
    const mail = await fixture("html-only.eml");
    assert.equal(mail.text, "It worked, thank you!\n\nOne more question: can I change my e-mail address too?");
    assert.equal(mail.subject, "Re: Password reset");
  });
});

describe("parseMail: encodings", () => {
  it("decodes a base64 body and a base64 RFC 2047 subject, and strips Gmail's Japanese attribution", async () => {
    const mail = await fixture("base64.eml");
    assert.equal(mail.subject, "Re: お問い合わせ");
    assert.equal(mail.text, "Namaste, the café order №17 arrived — thank you.");
  });

  it("decodes quoted-printable with soft line breaks and a French attribution", async () => {
    const mail = await fixture("quoted-printable.eml");
    assert.equal(mail.subject, "Re: Réservation confirmée");
    assert.deepEqual(mail.from, { address: "francois@example.fr", name: "François Dürr" });
    assert.equal(mail.text, "Merci beaucoup ! Est-ce que le déjeuner est inclus dans le tarif de la chambre à deux lits ?\n\nCordialement,\nFrançois");
  });

  it("decodes an ISO-8859-1 body and header, and strips a German attribution", async () => {
    const mail = await fixture("iso-8859-1.eml");
    assert.equal(mail.subject, "Re: Lieferung für März");
    assert.deepEqual(mail.from, { address: "joerg@example.de", name: "Jörg Müller" });
    assert.equal(mail.text, "Grüße,\n\nbitte liefern Sie die Ware erst im März. Die Rechnung über 120 £ ist bezahlt.\n\nMit freundlichen Grüßen\nJörg");
  });

  it("decodes Windows-1252, drops the '-- ' signature, and gives a mail without Message-ID a stable one", async () => {
    const raw = readFileSync(new URL("../fixtures/mail/windows-1252.eml", import.meta.url));
    const mail = await parseMail(raw);
    assert.equal(mail.subject, "Re: “Quote” request");
    assert.equal(mail.text, "The price is € 250 – that’s fine … please go ahead.");
    assert.match(mail.messageId, /^[0-9a-f]{32}@switchboard\.invalid$/);
    assert.equal((await parseMail(raw)).messageId, mail.messageId);
    assert.equal(mail.inReplyTo, undefined);
    assert.deepEqual(mail.references, []);
  });
});

describe("stripQuotedReply", () => {
  const strip = (...lines: string[]) => stripQuotedReply(lines.join("\n"));

  it("recognises attributions in many languages", () => {
    const attributions = [
      "On Fri, Nov 20, 2026 at 3:14 PM Agent <agent@x.com> wrote:",
      "Am Fr., 20. Nov. 2026 um 15:14 Uhr schrieb Agent <agent@x.com>:",
      "El vie, 20 nov 2026 a las 15:14, Agent (<agent@x.com>) escribió:",
      "Il giorno ven 20 nov 2026 alle ore 15:14 Agent <agent@x.com> ha scritto:",
      "Em sex., 20 de nov. de 2026 às 15:14, Agent <agent@x.com> escreveu:",
      "Op vr 20 nov. 2026 om 15:14 schreef Agent <agent@x.com>:",
      "Den fre 20 nov. 2026 kl 15:14 skrev Agent <agent@x.com>:",
      "W dniu 20.11.2026 o 15:14 Agent <agent@x.com> napisał(a):",
      "пт, 20 нояб. 2026 г. в 15:14, Agent <agent@x.com>:",
      "Agent <agent@x.com> 于2026年11月20日周五 15:14写道：",
    ];
    for (const attribution of attributions) {
      assert.equal(strip("New text.", "", attribution, "> old text"), "New text.", attribution);
    }
  });

  it("cuts at Outlook's Original Message separator and at the underscore rule before From:", () => {
    assert.equal(strip("Yes.", "", "-----Original Message-----", "From: A", "Sent: today", "old"), "Yes.");
    assert.equal(strip("Ja.", "", "-----Ursprüngliche Nachricht-----", "Von: A"), "Ja.");
    assert.equal(
      strip("Sure.", "", "________________________________", "From: Agent <agent@x.com>", "Sent: Friday, November 20, 2026 4:02 PM", "To: me", "Subject: Hi", "", "old"),
      "Sure.",
    );
    assert.equal(strip("Oui.", "", "De : Agent <agent@x.com>", "Envoyé : vendredi 20 novembre 2026 16:02", "old"), "Oui.");
  });

  it("keeps an answer written between quoted lines, and prose that merely says 'wrote:'", () => {
    assert.equal(strip("> Can you come?", "Yes.", "> At noon?", "No, at one."), "Yes.\nNo, at one.");
    assert.equal(strip("My colleague wrote:", "the plan is fine."), "My colleague wrote:\nthe plan is fine.");
  });

  it("drops signatures after '-- ' and common mobile footers", () => {
    assert.equal(strip("Thanks", "-- ", "Ana", "+1 555 0100"), "Thanks");
    assert.equal(strip("Thanks", "", "Sent from my iPad"), "Thanks");
    assert.equal(strip("Danke", "", "Von meinem iPhone gesendet"), "Danke");
    assert.equal(strip("Thanks", "", "Get Outlook for iOS"), "Thanks");
  });
});
