/**
 * Email under faults, with the real `switchboard` process and a real mail server: kill -9 while
 * 20 mails wait, and an SMTP server that answers 451 for a while. Each mail gets exactly one reply.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { tempDir, waitFor } from "../helpers/gateway.ts";
import { startCli, killHard, type RunningGateway } from "../helpers/process.ts";
import { startMailServer, type MailServer } from "../helpers/mail/index.ts";

function mail(from: string, to: string, n: number): string {
  return (
    `From: ${from}\r\nTo: ${to}\r\nSubject: Question ${n}\r\nMessage-ID: <q${n}@alice.example>\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nQuestion number ${n}?\r\n`
  );
}

describe("email faults", () => {
  let server: MailServer;
  let gateway: RunningGateway | undefined;
  let configFile: string;
  let alice: string;
  let agentAddress: string;

  const repliesToAlice = () => server.received.filter((r) => r.to.includes(alice));
  const answeredIds = async () => {
    const parsed = await Promise.all(repliesToAlice().map((r) => simpleParser(r.raw)));
    return parsed.map((p) => String(p.inReplyTo ?? "").replace(/[<>]/g, ""));
  };

  before(async () => {
    server = await startMailServer();
    alice = server.users.alice.address;
    agentAddress = server.users.agent.address;
    const dir = tempDir();
    configFile = join(dir, "switchboard.yaml");
    const config = {
      store: "sqlite:./gw.db",
      server: { port: 0 },
      outbox: { baseDelay: "200ms", maxDelay: "1s", maxAttempts: 50 },
      // Slow enough, one at a time, that the kill lands while mails still wait.
      lanes: { concurrency: 1 },
      agents: { helper: { kind: "echo", prefix: "echo: ", delay: "60ms" } },
      channels: {
        mail: {
          type: "email",
          access: { policy: "open" },
          address: agentAddress,
          imap: { host: server.imap.host, port: server.imap.port, secure: false, user: server.users.agent.user, password: server.users.agent.password, pollInterval: "1s" },
          smtp: { host: server.smtp.host, port: server.smtp.port, secure: false },
          rateLimit: { max: 100 },
        },
      },
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
  });

  after(async () => {
    if (gateway) await killHard(gateway.child);
    await server?.stop();
  });

  it("kill -9 while 20 mails are waiting: after the restart each gets exactly one reply", async () => {
    for (let n = 1; n <= 20; n++) await server.deliver("agent", mail(`Alice <${alice}>`, agentAddress, n));
    gateway = await startCli(["-c", configFile]);
    await waitFor(() => repliesToAlice().length >= 3, { what: "the first replies", timeoutMs: 20_000 });
    await killHard(gateway.child);
    const beforeRestart = repliesToAlice().length;
    assert.ok(beforeRestart < 20, `the kill came while mails were still waiting (${beforeRestart} answered)`);

    gateway = await startCli(["-c", configFile]);
    await waitFor(() => repliesToAlice().length >= 20, { what: "20 replies", timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 2000)); // nothing more may come
    // Each mail got one answer: one distinct reply (Message-ID) per question, never two turns.
    // A kill in the instant between the SMTP server's 250 and the outbox recording it can send
    // that same reply again after the restart; it carries the same Message-ID, so mail clients
    // show it once. (The test kills right after a reply arrives, so it aims at that instant.)
    const parsed = await Promise.all(repliesToAlice().map((r) => simpleParser(r.raw)));
    const byQuestion = new Map<string, Set<string>>();
    for (const p of parsed) {
      const question = String(p.inReplyTo ?? "").replace(/[<>]/g, "");
      byQuestion.set(question, (byQuestion.get(question) ?? new Set()).add(String(p.messageId)));
    }
    assert.deepEqual([...byQuestion.keys()].sort(), Array.from({ length: 20 }, (_, i) => `q${i + 1}@alice.example`).sort());
    for (const [question, messageIds] of byQuestion) assert.equal(messageIds.size, 1, `${question} got ${messageIds.size} different replies`);
    assert.ok(parsed.length <= 21, `at most the one reply in flight at the kill is repeated (${parsed.length})`);
  });

  it("an SMTP server answering 451 for a while delays the reply, which goes out once it recovers", async () => {
    const before = repliesToAlice().length;
    server.failWith(451, "4.3.0 Try again later");
    await server.deliver("agent", mail(`Alice <${alice}>`, agentAddress, 21));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(repliesToAlice().length, before, "nothing delivered while the server says 451");
    server.failWith(undefined);
    await waitFor(() => repliesToAlice().length > before, { what: `the reply after recovery; gateway said:\n${gateway?.output().slice(-3000)}`, timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(repliesToAlice().length, before + 1, "exactly one reply");
    assert.ok((await answeredIds()).includes("q21@alice.example"));
  });
});
