import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTransport } from "nodemailer";
import { silentLogger } from "../../../src/core/log.ts";
import { ImapInbox, type CheckpointStore, type ImapOptions } from "../../../src/channels/email/imap.ts";
import { startMailServer, type MailServer } from "../../helpers/mail/index.ts";

class MemoryCheckpoints implements CheckpointStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
}

/** Who holds the mailbox's lease, as the store's lease would say. */
class MemoryLease {
  holder: string | undefined = "gw-1";
  for(name: string) {
    return () => this.holder === name;
  }
}

function mail(subject: string): string {
  return `From: Alice <alice@example.test>\r\nTo: agent@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, "-")}@example.test>\r\n\r\nHello (${subject})\r\n`;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("IMAP inbox against a real Dovecot", () => {
  let server: MailServer;
  let folders = 0;

  before(async () => {
    server = await startMailServer();
  });
  after(async () => {
    await server?.stop();
  });

  /** A fresh mailbox per test, so tests do not see each other's mail. */
  async function freshFolder(): Promise<string> {
    const folder = `Test${++folders}`;
    const client = await server.connect("agent");
    await client.mailboxCreate(folder);
    await client.logout();
    return folder;
  }

  async function append(folder: string, subject: string): Promise<void> {
    const client = await server.connect("agent");
    await client.append(folder, mail(subject));
    await client.logout();
  }

  async function seenFlags(folder: string): Promise<Map<string, boolean>> {
    const client = await server.connect("agent");
    const { exists } = await client.mailboxOpen(folder);
    const seen = new Map<string, boolean>();
    if (exists > 0)
      for await (const msg of client.fetch("1:*", { envelope: true, flags: true })) seen.set(msg.envelope?.subject ?? "", msg.flags?.has("\\Seen") ?? false);
    await client.logout();
    return seen;
  }

  function inbox(folder: string, checkpoints: CheckpointStore, extra: Partial<ImapOptions> = {}, mayRead?: () => boolean): ImapInbox {
    const { agent } = server.users;
    return new ImapInbox({ ...server.imap, user: agent.user, password: agent.password, mailbox: folder, pollIntervalMs: 200, ...extra }, checkpoints, silentLogger, mayRead);
  }

  const subjectOf = (raw: Buffer) => /^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim() ?? "";

  it("two gateways on one mailbox: only the lease holder reads, the other reads once it holds the lease", async () => {
    const folder = await freshFolder();
    const checkpoints = new MemoryCheckpoints();
    const lease = new MemoryLease();
    const got: string[] = [];
    const onMail = async (raw: Buffer) => void got.push(subjectOf(raw));
    const first = inbox(folder, checkpoints, {}, lease.for("gw-1"));
    const second = inbox(folder, checkpoints, {}, lease.for("gw-2"));
    await first.start(onMail);
    await second.start(onMail);
    await append(folder, "one");
    await waitFor(() => got.length === 1, 5_000, "the first mail");
    assert.deepEqual([first.reading, second.reading], [true, false]);
    await first.stop();
    lease.holder = "gw-2"; // the store hands the released lease to the standby
    await append(folder, "two");
    await waitFor(() => got.length === 2, 5_000, "the second mail, read by the other gateway");
    assert.equal(second.reading, true);
    await sleep(600);
    await second.stop();
    assert.deepEqual(got, ["one", "two"], "each mail read once");
  });

  it("new mail reaches onMail once and is then flagged \\Seen", async () => {
    const folder = await freshFolder();
    const got: string[] = [];
    const reader = inbox(folder, new MemoryCheckpoints());
    await reader.start(async (raw) => void got.push(subjectOf(raw)));
    await append(folder, "first");
    await append(folder, "second");
    await waitFor(() => got.length === 2, 5_000, "two mails");
    await sleep(600); // a few more polls: nothing is read twice
    await reader.stop();
    assert.deepEqual(got, ["first", "second"]);
    assert.deepEqual([...(await seenFlags(folder))], [["first", true], ["second", true]]);
  });

  it("the checkpoint advances only after onMail resolves; a failed hand-off is retried and stays unflagged meanwhile", async () => {
    const folder = await freshFolder();
    const checkpoints = new MemoryCheckpoints();
    const reader = inbox(folder, checkpoints);
    const attempts: string[] = [];
    let failing = true;
    await reader.start(async (raw) => {
      attempts.push(subjectOf(raw));
      if (failing) throw new Error("the gateway could not accept it");
    });
    await append(folder, "flaky");
    await waitFor(() => attempts.length >= 2, 5_000, "a retry");
    const before = JSON.parse(checkpoints.values.get(reader.checkpointKey) ?? "{}") as { uid?: number };
    assert.equal(before.uid, 0, "the checkpoint did not move past the failed mail");
    assert.equal((await seenFlags(folder)).get("flaky"), false);
    failing = false;
    const count = attempts.length;
    await waitFor(() => attempts.length === count + 1, 5_000, "the successful retry");
    await sleep(500);
    await reader.stop();
    assert.equal(attempts.length, count + 1, "read once more, then never again");
    assert.ok(attempts.every((s) => s === "flaky"));
    assert.equal((await seenFlags(folder)).get("flaky"), true);
    assert.equal((JSON.parse(checkpoints.values.get(reader.checkpointKey)!) as { uid: number }).uid, 1);
  });

  it("after stop and start with the same checkpoints nothing is re-read and mail that arrived meanwhile is read", async () => {
    const folder = await freshFolder();
    const checkpoints = new MemoryCheckpoints();
    const got: string[] = [];
    const onMail = async (raw: Buffer) => void got.push(subjectOf(raw));
    const first = inbox(folder, checkpoints);
    await first.start(onMail);
    await append(folder, "before restart");
    await waitFor(() => got.length === 1, 5_000, "the first mail");
    await first.stop();

    await append(folder, "while stopped 1");
    await append(folder, "while stopped 2");
    // A person reading it in their mail client must not make the gateway skip it.
    const client = await server.connect("agent");
    await client.mailboxOpen(folder);
    await client.messageFlagsAdd({ all: true }, ["\\Seen"]);
    await client.logout();

    const second = inbox(folder, checkpoints);
    await second.start(onMail);
    await append(folder, "after restart");
    await waitFor(() => got.length === 4, 5_000, "all four mails");
    await sleep(500);
    await second.stop();
    assert.deepEqual(got, ["before restart", "while stopped 1", "while stopped 2", "after restart"]);
  });

  it("a UIDVALIDITY change resets the checkpoint, so the renumbered mailbox is read again from its oldest unread mail", async () => {
    const folder = await freshFolder();
    const checkpoints = new MemoryCheckpoints();
    const got: string[] = [];
    const onMail = async (raw: Buffer) => void got.push(subjectOf(raw));
    const first = inbox(folder, checkpoints);
    await first.start(onMail);
    await append(folder, "old 1");
    await append(folder, "old 2");
    await waitFor(() => got.length === 2, 5_000, "the old mails");
    await first.stop();
    const old = JSON.parse(checkpoints.values.get(first.checkpointKey)!) as { uidValidity: string; uid: number };
    assert.equal(old.uid, 2);

    // Recreating the mailbox gives it a new UIDVALIDITY, and its UIDs start at 1 again.
    const client = await server.connect("agent");
    await client.mailboxDelete(folder);
    await client.mailboxCreate(folder);
    await client.logout();
    await append(folder, "renumbered 1");

    const second = inbox(folder, checkpoints);
    await second.start(onMail);
    await waitFor(() => got.length === 3, 5_000, "the mail in the renumbered mailbox");
    await second.stop();
    assert.equal(got[2], "renumbered 1");
    const now = JSON.parse(checkpoints.values.get(second.checkpointKey)!) as { uidValidity: string; uid: number };
    assert.notEqual(now.uidValidity, old.uidValidity);
    assert.equal(now.uid, 1);
  });

  it("a first start takes only unread mail", async () => {
    const folder = await freshFolder();
    await append(folder, "already read");
    const client = await server.connect("agent");
    await client.mailboxOpen(folder);
    await client.messageFlagsAdd({ all: true }, ["\\Seen"]);
    await client.logout();
    await append(folder, "unread");
    const got: string[] = [];
    const reader = inbox(folder, new MemoryCheckpoints());
    await reader.start(async (raw) => void got.push(subjectOf(raw)));
    await waitFor(() => got.length === 1, 5_000, "the unread mail");
    await sleep(400);
    await reader.stop();
    assert.deepEqual(got, ["unread"]);
  });

  it("with IDLE, new mail arrives within about a second even with a long poll interval", async () => {
    const folder = await freshFolder();
    const got: string[] = [];
    const reader = inbox(folder, new MemoryCheckpoints(), { idle: true, pollIntervalMs: 60_000 });
    await reader.start(async (raw) => void got.push(subjectOf(raw)));
    await sleep(300); // let the first drain finish and IDLE begin
    const sent = Date.now();
    await append(folder, "pushed");
    await waitFor(() => got.length === 1, 1_500, "the IDLE notification");
    const elapsed = Date.now() - sent;
    await reader.stop();
    assert.ok(elapsed < 1_200, `took ${elapsed} ms`);
  });

  it("with idle: false, mail is picked up by the poll interval", async () => {
    const folder = await freshFolder();
    const got: string[] = [];
    const reader = inbox(folder, new MemoryCheckpoints(), { idle: false, pollIntervalMs: 1_500 });
    await reader.start(async (raw) => void got.push(subjectOf(raw)));
    await sleep(300);
    await append(folder, "polled");
    await sleep(500);
    assert.equal(got.length, 0, "no IDLE push without idle");
    await waitFor(() => got.length === 1, 2_500, "the next poll");
    await reader.stop();
    assert.deepEqual(got, ["polled"]);
  });

  it("with processedFolder, handled mail is moved there instead of flagged", async () => {
    const folder = await freshFolder();
    const done = await freshFolder();
    const got: string[] = [];
    const reader = inbox(folder, new MemoryCheckpoints(), { processedFolder: done });
    await reader.start(async (raw) => void got.push(subjectOf(raw)));
    await append(folder, "to move");
    await waitFor(() => got.length === 1, 5_000, "the mail");
    await sleep(300);
    await reader.stop();
    assert.equal((await seenFlags(folder)).size, 0);
    assert.deepEqual([...(await seenFlags(done)).keys()], ["to move"]);
  });

  it("after the server drops the connection the inbox reconnects and reads on", async () => {
    const folder = await freshFolder();
    const got: string[] = [];
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
    const { agent } = server.users;
    const reader = new ImapInbox({ ...server.imap, user: agent.user, password: agent.password, mailbox: folder, pollIntervalMs: 60_000 }, new MemoryCheckpoints(), log);
    await reader.start(async (raw) => void got.push(subjectOf(raw)));
    await append(folder, "before the drop");
    await waitFor(() => got.length === 1, 5_000, "the first mail");
    await server.kick("agent");
    await append(folder, "after the drop");
    await waitFor(() => got.length === 2, 5_000, "the mail after reconnecting");
    await reader.stop();
    assert.deepEqual(got, ["before the drop", "after the drop"]);
    assert.ok(warnings.includes("IMAP connection failed; reconnecting"), "the session really was dropped");
  });

  it("the SMTP sink files mail for a local user into their INBOX and can refuse with 451 or 550", async () => {
    const transport = createTransport({ host: server.smtp.host, port: server.smtp.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: "agent@example.test", to: "alice@example.test", subject: "via smtp", text: "hi" });
    assert.equal(server.received.at(-1)?.to[0], "alice@example.test");
    const client = await server.connect("alice");
    await client.mailboxOpen("INBOX");
    const subjects: string[] = [];
    for await (const msg of client.fetch("1:*", { envelope: true })) subjects.push(msg.envelope?.subject ?? "");
    await client.logout();
    assert.ok(subjects.includes("via smtp"));

    server.failWith(451);
    await assert.rejects(transport.sendMail({ from: "agent@example.test", to: "alice@example.test", subject: "x", text: "x" }), (err: { responseCode?: number }) => err.responseCode === 451);
    server.failWith(550, "No such user");
    await assert.rejects(transport.sendMail({ from: "agent@example.test", to: "alice@example.test", subject: "x", text: "x" }), (err: { responseCode?: number }) => err.responseCode === 550);
    server.failWith(undefined);
    await transport.sendMail({ from: "agent@example.test", to: "bob@elsewhere.test", subject: "remote", text: "x" });
    assert.equal(server.received.at(-1)?.to[0], "bob@elsewhere.test");
    transport.close();
  });
});

// Its own server: after a failed login Dovecot slows every later login from 127.0.0.1 for a while.
describe("IMAP inbox with bad credentials", () => {
  let server: MailServer;
  before(async () => {
    server = await startMailServer();
  });
  after(async () => {
    await server?.stop();
  });

  it("a wrong password fails start() with a clear error", async () => {
    const { agent } = server.users;
    const reader = new ImapInbox({ ...server.imap, user: agent.user, password: "wrong" }, new MemoryCheckpoints(), silentLogger);
    await assert.rejects(reader.start(async () => {}), /refused the login for "agent"/);
  });
});
