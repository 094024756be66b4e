/**
 * Sending first by email, against a real mail server (Dovecot IMAP, an SMTP sink that files mail
 * for local users): a first mail starts a new thread with its own Message-ID and a subject from
 * its first line, and the user's reply to it continues in the session worked out from the address.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { simpleParser, type ParsedMail } from "mailparser";
import type { Channel } from "../../../src/core/channel.ts";
import { startGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";
import { startMailServer } from "../../helpers/mail/index.ts";
import { assertRefused, sendFirst, sessionOf, threadKeyFor } from "./helpers.ts";

type MailServer = Awaited<ReturnType<typeof startMailServer>>;

const ids = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? value.split(/\s+/) : []).map((v) => v.replace(/[<>]/g, "")).filter(Boolean);

describe("email: sending first", () => {
  let server: MailServer;
  let t: TestGateway;
  let channel: Channel;
  let alice: string;
  let agentAddress: string;
  const toAlice = async (n: number): Promise<ParsedMail[]> => {
    const got = await waitFor(
      () => {
        const mails = server.received.filter((r) => r.to.includes(alice));
        return mails.length >= n ? mails : undefined;
      },
      { what: `${n} mails to alice`, timeoutMs: 20_000 },
    );
    return Promise.all(got.map((r) => simpleParser(r.raw)));
  };

  before(async () => {
    server = await startMailServer();
    alice = server.users.alice.address;
    agentAddress = server.users.agent.address;
    t = await startGateway({
      agents: { helper: { kind: "echo", prefix: "echo: " } },
      channels: {
        api: { type: "http" },
        mail: {
          type: "email",
          access: { policy: "open" },
          address: agentAddress,
          name: "Reports Agent",
          imap: { host: server.imap.host, port: server.imap.port, secure: false, user: server.users.agent.user, password: server.users.agent.password, pollInterval: "1s" },
          smtp: { host: server.smtp.host, port: server.smtp.port, secure: false },
        },
      },
    });
    channel = t.gw.gateway.getChannel("mail")!;
  });
  after(async () => {
    await t?.stop();
    await server?.stop();
  });

  it("a first mail starts a new thread: its own Message-ID, a subject from its first line, no In-Reply-To", async () => {
    const to = await channel.resolveTarget!(`Alice Example <${alice}>`);
    assert.equal(to.user, undefined, "a mail thread is no DM");
    assert.match(to.conversation, /^[0-9a-f-]{36}@example\.test$/);
    await sendFirst(channel, to, "# Weekly **report**\n\nEverything is green.");
    const [mail] = await toAlice(1);
    assert.equal(mail!.subject, "Weekly report");
    assert.deepEqual(ids(mail!.messageId), [to.conversation]);
    assert.equal(mail!.inReplyTo, undefined);
    assert.equal(mail!.references, undefined);
    assert.match(String(mail!.to && "text" in mail!.to ? mail!.to.text : ""), /Alice Example/);
    assert.equal(mail!.headers.get("auto-submitted"), "auto-generated");
    assert.match(mail!.text ?? "", /Everything is green\./);
  });

  it("a retried first mail is the same mail; a second part answers it, in the same thread", async () => {
    const to = await channel.resolveTarget!(alice);
    const before = server.received.filter((r) => r.to.includes(alice)).length;
    const first = { to, text: "Build 42 failed\n\nDetails follow.", idempotencyKey: "turn-retry:0", sessionId: "s-retry" };
    await channel.send(first);
    await channel.send(first);
    await channel.send({ ...first, text: "(part two)", idempotencyKey: "turn-retry:1" });
    const mails = (await toAlice(before + 3)).slice(before);
    assert.deepEqual(mails.map((m) => m.subject), ["Build 42 failed", "Build 42 failed", "Re: Build 42 failed"]);
    assert.deepEqual(ids(mails[0]!.messageId), [to.conversation]);
    assert.deepEqual(ids(mails[1]!.messageId), [to.conversation], "a retry keeps the Message-ID, so it can be recognised");
    assert.notEqual(ids(mails[2]!.messageId)[0], to.conversation);
    assert.deepEqual(ids(mails[2]!.inReplyTo), [to.conversation]);
    assert.deepEqual(ids(mails[2]!.references), [to.conversation]);
  });

  it("a bad target is refused with the forms email accepts", async () => {
    await assertRefused(channel, "", 400, /one email address, as a@example\.com or Name <a@example\.com>/);
    await assertRefused(channel, "alice", 400, /"alice" is not an email address/);
    await assertRefused(channel, "alice@", 400, /not an email address/);
    await assertRefused(channel, `${alice}, bob@example.test`, 400, /not one email address/);
    await assertRefused(channel, `Me <${agentAddress.toUpperCase()}>`, 422, /own address; mailing it would start a loop/);
  });

  it("the user's reply to the first mail continues in the session of its thread, answered in that thread", async () => {
    const to = await channel.resolveTarget!(alice);
    const before = server.received.filter((r) => r.to.includes(alice)).length;
    await sendFirst(channel, to, "Your invoice is ready. Anything unclear?");
    const [first] = (await toAlice(before + 1)).slice(before);
    assert.equal(first!.subject, "Your invoice is ready. Anything unclear?");
    const reply =
      `From: Alice <${alice}>\r\nTo: ${agentAddress}\r\nSubject: Re: ${first!.subject}\r\nMessage-ID: <reply-1@alice.example>\r\n` +
      `In-Reply-To: <${to.conversation}>\r\nReferences: <${to.conversation}>\r\nDate: ${new Date().toUTCString()}\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhy is it so high?\r\n`;
    await server.deliver("agent", reply);
    const session = await sessionOf(t, "mail", "reply-1@alice.example");
    assert.deepEqual(session.threadKey, threadKeyFor("mail", to, "group", "helper"));
    const [answer] = (await toAlice(before + 2)).slice(before + 1);
    assert.equal(answer!.subject, `Re: ${first!.subject}`);
    assert.deepEqual(ids(answer!.references), [to.conversation, "reply-1@alice.example"]);
    assert.match(answer!.text ?? "", /echo: Why is it so high\?/);
  });
});
