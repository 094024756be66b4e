import { describe, it, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { DeliveryError } from "../../../src/core/errors.ts";
import { EmailSender } from "../../../src/channels/email/egress.ts";
import { replyHeaders, replySubject } from "../../../src/channels/email/threading.ts";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free loopback port that records what it is sent, or fails on demand. */
async function startSmtpSink() {
  const received: Received[] = [];
  const state: { failRcpt?: { code: number; message: string }; failData?: { code: number; message: string } } = {};
  const reject = (failure: { code: number; message: string }) => Object.assign(new Error(failure.message), { responseCode: failure.code });
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "agent" && auth.password === "s3cret-pa55") callback(null, { user: auth.username });
      else callback(Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      callback(state.failRcpt ? reject(state.failRcpt) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (state.failData) return callback(reject(state.failData));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    state,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The unfolded value of a header in the top-level header block of a raw mail. */
function header(raw: string, name: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
  return head
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

describe("sending a reply over SMTP", () => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let sender: EmailSender;
  before(async () => {
    sink = await startSmtpSink();
    sender = new EmailSender({ host: "127.0.0.1", port: sink.port, from: '"Support Agent" <agent@example.com>', replyTo: "help@example.com" });
  });
  after(async () => {
    sender.close();
    await sink.stop();
  });
  beforeEach(() => {
    sink.received.length = 0;
    delete sink.state.failRcpt;
    delete sink.state.failData;
  });

  it("the reply threads under the mail it answers: In-Reply-To, References and one Re:", async () => {
    const answered = { messageId: "c@mail.example.org", references: ["a@mail.example.org", "b@mail.example.org"] };
    const sent = await sender.send({ to: "alice@example.org", subject: replySubject("Re: The plan"), markdown: "Sounds good.", ...replyHeaders(answered) });

    assert.equal(sink.received.length, 1);
    const mail = sink.received[0]!;
    assert.equal(mail.from, "agent@example.com");
    assert.deepEqual(mail.to, ["alice@example.org"]);
    assert.deepEqual(header(mail.raw, "In-Reply-To"), ["<c@mail.example.org>"]);
    assert.deepEqual(header(mail.raw, "References"), ["<a@mail.example.org> <b@mail.example.org> <c@mail.example.org>"]);
    assert.deepEqual(header(mail.raw, "Subject"), ["Re: The plan"]);
    assert.match(sent.messageId, /^[0-9a-f-]{36}@example\.com$/);
    assert.deepEqual(header(mail.raw, "Message-ID"), [`<${sent.messageId}>`]);
    assert.deepEqual(header(mail.raw, "Auto-Submitted"), ["auto-replied"]);
  });

  it("From and Reply-To are the configured ones", async () => {
    await sender.send({ to: "alice@example.org", subject: "Hello", markdown: "hi" });
    const parsed = await simpleParser(sink.received[0]!.raw);
    assert.deepEqual(parsed.from?.value, [{ address: "agent@example.com", name: "Support Agent" }]);
    assert.deepEqual(parsed.replyTo?.value, [{ address: "help@example.com", name: "" }]);
    assert.equal(parsed.subject, "Hello");
    assert.deepEqual(header(sink.received[0]!.raw, "In-Reply-To"), []);
    assert.deepEqual(header(sink.received[0]!.raw, "References"), []);
  });

  it("the body is multipart/alternative with the markdown as text/plain and rendered text/html", async () => {
    await sender.send({ to: "alice@example.org", subject: "Re: x", markdown: "The **plan**:\n\n- ship it\n- [docs](https://example.com/docs)" });
    const raw = sink.received[0]!.raw;
    assert.match(header(raw, "Content-Type")[0]!, /^multipart\/alternative; boundary=/);
    assert.match(raw, /Content-Type: text\/plain; charset=utf-8/i);
    assert.match(raw, /Content-Type: text\/html; charset=utf-8/i);
    assert.ok(raw.search(/Content-Type: text\/plain/i) < raw.search(/Content-Type: text\/html/i), "text/plain comes first, so clients prefer the HTML");
    const parsed = await simpleParser(raw);
    assert.equal(parsed.text?.trim(), "The **plan**:\n\n- ship it\n- docs (https://example.com/docs)");
    assert.match(String(parsed.html), /<p>The <strong>plan<\/strong>:<\/p>/);
    assert.match(String(parsed.html), /<li><a href="https:\/\/example.com\/docs">docs<\/a><\/li>/);
  });

  it("HTML in the agent's text arrives escaped, never as markup", async () => {
    await sender.send({ to: "alice@example.org", subject: "Re: x", markdown: `Try <script>alert("hi")</script> and <a href="javascript:x">this</a> [link](javascript:alert(1))` });
    const parsed = await simpleParser(sink.received[0]!.raw);
    const html = String(parsed.html);
    assert.match(html, /&lt;script&gt;alert\(&quot;hi&quot;\)&lt;\/script&gt;/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<a href="javascript/i);
    assert.doesNotMatch(html, /href="javascript/i);
    assert.match(parsed.text ?? "", /<script>alert\("hi"\)<\/script>/, "the text part is the agent's text as written");
  });

  it("a given Message-ID is kept, so a retried reply is recognisably the same mail", async () => {
    const sent = await sender.send({ to: "alice@example.org", subject: "Re: x", markdown: "once", messageId: "<reply-1@example.com>" });
    assert.equal(sent.messageId, "reply-1@example.com");
    assert.deepEqual(header(sink.received[0]!.raw, "Message-ID"), ["<reply-1@example.com>"]);
  });

  it("451 from the server is a retryable DeliveryError", async () => {
    sink.state.failRcpt = { code: 451, message: "Greylisted, try again later" };
    const error = await sender.send({ to: "alice@example.org", subject: "Re: x", markdown: "hi" }).then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DeliveryError);
    assert.equal(error.retryable, true);
    assert.match(error.message, /451/);
    assert.match(error.message, /Greylisted/);
    assert.equal(sink.received.length, 0);
  });

  it("550 from the server is a permanent DeliveryError carrying the server's message", async () => {
    sink.state.failRcpt = { code: 550, message: "No such user here" };
    await assert.rejects(sender.send({ to: "nobody@example.org", subject: "Re: x", markdown: "hi" }), (error: unknown) => {
      assert.ok(error instanceof DeliveryError);
      assert.equal(error.retryable, false);
      assert.match(error.message, /550/);
      assert.match(error.message, /No such user here/);
      return true;
    });
  });

  it("a 5xx after the message body is permanent too", async () => {
    sink.state.failData = { code: 554, message: "Message rejected as spam" };
    await assert.rejects(sender.send({ to: "alice@example.org", subject: "Re: x", markdown: "hi" }), (error: unknown) => {
      assert.ok(error instanceof DeliveryError);
      assert.equal(error.retryable, false);
      assert.match(error.message, /rejected as spam/);
      return true;
    });
  });

  it("wrong SMTP credentials are permanent and the error never shows the password", async () => {
    const wrong = new EmailSender({ host: "127.0.0.1", port: sink.port, from: "agent@example.com", user: "agent", password: "not-the-pa55word" });
    try {
      await assert.rejects(wrong.send({ to: "alice@example.org", subject: "x", markdown: "hi" }), (error: unknown) => {
        assert.ok(error instanceof DeliveryError);
        assert.equal(error.retryable, false);
        assert.match(error.message, /535/);
        assert.doesNotMatch(error.message, /not-the-pa55word/);
        return true;
      });
    } finally {
      wrong.close();
    }
  });

  it("with the right credentials the mail goes through", async () => {
    const authed = new EmailSender({ host: "127.0.0.1", port: sink.port, from: "agent@example.com", user: "agent", password: "s3cret-pa55" });
    try {
      await authed.send({ to: "alice@example.org", subject: "x", markdown: "hi" });
      assert.equal(sink.received.length, 1);
    } finally {
      authed.close();
    }
  });
});

describe("sending when the SMTP server is unreachable", () => {
  it("a refused connection is a retryable DeliveryError", async () => {
    const sink = await startSmtpSink();
    const port = sink.port;
    await sink.stop();
    const sender = new EmailSender({ host: "127.0.0.1", port, from: "agent@example.com" });
    try {
      await assert.rejects(sender.send({ to: "alice@example.org", subject: "x", markdown: "hi" }), (error: unknown) => {
        assert.ok(error instanceof DeliveryError);
        assert.equal(error.retryable, true);
        return true;
      });
    } finally {
      sender.close();
    }
  });
});
