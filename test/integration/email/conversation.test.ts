/**
 * Email end to end against a real mail server: Dovecot IMAP for the mailboxes, an SMTP server
 * on loopback delivering replies into the user's mailbox. A user mails the agent, gets a threaded
 * reply, replies to it, and the conversation continues in one session.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { simpleParser, type ParsedMail } from "mailparser";
import { adminHeaders, startGateway, getJson, waitFor, type TestGateway } from "../../helpers/gateway.ts";
import { startMailServer } from "../../helpers/mail/index.ts";

type MailServer = Awaited<ReturnType<typeof startMailServer>>;

function mail(fields: { from: string; to: string; subject: string; messageId: string; body: string; headers?: Record<string, string> }): string {
  const extra = Object.entries(fields.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return (
    `From: ${fields.from}\r\nTo: ${fields.to}\r\nSubject: ${fields.subject}\r\nMessage-ID: <${fields.messageId}>\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n${extra}\r\n${fields.body}\r\n`
  );
}

const ids = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? value.split(/\s+/) : []).map((v) => v.replace(/[<>]/g, ""));

describe("email: a whole conversation with a real mail server", () => {
  let server: MailServer;
  let t: TestGateway;
  let agentAddress: string;
  let alice: string;
  const replies = async (n: number): Promise<ParsedMail[]> => {
    const toAlice = await waitFor(() => {
      const got = server.received.filter((r) => r.to.includes(alice));
      return got.length >= n ? got : undefined;
    }, { what: `${n} replies to alice`, timeoutMs: 20_000 });
    return Promise.all(toAlice.map((r) => simpleParser(r.raw)));
  };

  before(async () => {
    server = await startMailServer();
    agentAddress = server.users.agent.address;
    alice = server.users.alice.address;
    t = await startGateway({
      agents: { helper: { kind: "echo", prefix: "echo: " } },
      channels: {
        api: { type: "http" },
        mail: {
          type: "email",
          access: { policy: "open" },
          address: agentAddress,
          name: "Support Agent",
          imap: { host: server.imap.host, port: server.imap.port, secure: false, user: server.users.agent.user, password: server.users.agent.password, pollInterval: "1s" },
          smtp: { host: server.smtp.host, port: server.smtp.port, secure: false },
        },
      },
    });
  });
  after(async () => {
    await t?.stop();
    await server?.stop();
  });

  it("answers in the thread, and a reply to the reply continues the same session", async () => {
    await server.deliver("agent", mail({ from: `Alice <${alice}>`, to: agentAddress, subject: "Printer on fire", messageId: "m1@alice.example", body: "My printer is on fire." }));
    const [first] = await replies(1);
    assert.equal(first!.subject, "Re: Printer on fire");
    assert.deepEqual(ids(first!.inReplyTo), ["m1@alice.example"]);
    assert.deepEqual(ids(first!.references), ["m1@alice.example"]);
    assert.match(first!.text ?? "", /echo: My printer is on fire\./);
    assert.ok(first!.html, "a text and an HTML part");
    assert.match(String(first!.from?.text), /Support Agent/);

    const replyId = ids(first!.messageId)[0]!;
    await server.deliver(
      "agent",
      mail({
        from: `Alice <${alice}>`,
        to: agentAddress,
        subject: "Re: Printer on fire",
        messageId: "m2@alice.example",
        headers: { "In-Reply-To": `<${replyId}>`, References: `<m1@alice.example> <${replyId}>` },
        body: `It is out now.\r\n\r\nOn Mon, 1 Jan 2026 at 10:00, Support Agent <${agentAddress}> wrote:\r\n> echo: My printer is on fire.\r\n`,
      }),
    );
    const [, second] = await replies(2);
    assert.equal(second!.subject, "Re: Printer on fire", "never Re: Re:");
    assert.deepEqual(ids(second!.inReplyTo), ["m2@alice.example"]);
    assert.deepEqual(ids(second!.references), ["m1@alice.example", replyId, "m2@alice.example"]);
    assert.match(second!.text ?? "", /echo: It is out now\./);
    assert.doesNotMatch(second!.text ?? "", /wrote:/, "the quoted part was not sent to the agent");

    const sessions = await getJson(`${t.url}/v1/sessions?user=${encodeURIComponent(alice)}`, adminHeaders);
    assert.equal(sessions.body.sessions.length, 1, "one session for the thread");
    const shown = await getJson(`${t.url}/v1/sessions/${sessions.body.sessions[0].id}`, adminHeaders);
    assert.deepEqual(shown.body.transcript.map((e: { text: string }) => e.text), [
      "My printer is on fire.",
      "echo: My printer is on fire.",
      "It is out now.",
      "echo: It is out now.",
    ]);
  });

  it("a new subject starts a new session", async () => {
    await server.deliver("agent", mail({ from: alice, to: agentAddress, subject: "Another thing", messageId: "m3@alice.example", body: "Unrelated question." }));
    await replies(3);
    const sessions = await getJson(`${t.url}/v1/sessions?user=${encodeURIComponent(alice)}`, adminHeaders);
    assert.equal(sessions.body.sessions.length, 2);
  });

  it("an autoresponder answering every mail does not start a loop", async () => {
    const before = server.received.filter((r) => r.to.includes(alice)).length;
    // Alice's out-of-office answers our reply; it is automatic, so we must not answer it.
    await server.deliver("agent", mail({ from: alice, to: agentAddress, subject: "Out of office", messageId: "m4@alice.example", body: "Ping." }));
    await replies(before + 1);
    await server.deliver(
      "agent",
      mail({ from: alice, to: agentAddress, subject: "Auto: Re: Out of office", messageId: "auto1@alice.example", body: "I am away.", headers: { "Auto-Submitted": "auto-replied" } }),
    );
    await server.deliver("agent", mail({ from: `MAILER-DAEMON@alice.example`, to: agentAddress, subject: "Undelivered", messageId: "bounce1@alice.example", body: "Bounce." }));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(server.received.filter((r) => r.to.includes(alice)).length, before + 1, "one reply for the one non-automatic mail");
  });
});
