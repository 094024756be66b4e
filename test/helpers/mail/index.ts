/**
 * A real mail setup for email tests: Dovecot for IMAP, and an SMTP sink that records what it
 * accepts and files mail for local users into their INBOX, so a test user can read and reply.
 */
import { simpleParser } from "mailparser";
import { ImapFlow } from "imapflow";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { startDovecot, type MailAccount } from "./dovecot.ts";

export type { MailAccount } from "./dovecot.ts";
export type MailUser = "agent" | "alice";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  parsed?: unknown;
}

export interface MailServer {
  imap: { host: string; port: number };
  smtp: { host: string; port: number };
  users: Record<MailUser, MailAccount>;
  /** Put a raw mail into a user's INBOX (IMAP APPEND), as if delivered. */
  deliver(user: MailUser, raw: string | Buffer): Promise<void>;
  /** What the SMTP sink received (and appended to the recipient's INBOX when it is a local user). */
  received: ReceivedMail[];
  /** Make the SMTP sink answer this code (e.g. 451 or 550) to RCPT/DATA until cleared with undefined. */
  failWith(code: number | undefined, message?: string): void;
  /** Drop every IMAP session of a user, as a server restart would. */
  kick(user: MailUser): Promise<void>;
  /** Open an IMAP session as a user, for tests that inspect or change a mailbox. Log it out. */
  connect(user: MailUser): Promise<ImapFlow>;
  stop(): Promise<void>;
}

export async function startMailServer(): Promise<MailServer> {
  const users: Record<MailUser, MailAccount> = {
    agent: { address: "agent@example.test", user: "agent", password: "agent-pw" },
    alice: { address: "alice@example.test", user: "alice", password: "alice-pw" },
  };
  const dovecot = await startDovecot(Object.values(users));
  const imap = { host: dovecot.host, port: dovecot.port };

  const connect = async (user: MailUser): Promise<ImapFlow> => {
    const client = new ImapFlow({ ...imap, secure: false, auth: { user: users[user].user, pass: users[user].password }, logger: false, disableAutoIdle: true });
    client.on("error", () => {});
    await client.connect();
    return client;
  };
  const deliver = async (user: MailUser, raw: string | Buffer): Promise<void> => {
    const client = await connect(user);
    try {
      await client.append("INBOX", raw);
    } finally {
      await client.logout();
    }
  };

  const received: ReceivedMail[] = [];
  let failure: { code: number; message: string } | undefined;
  const refusal = () => (failure ? Object.assign(new Error(failure.message), { responseCode: failure.code }) : undefined);
  const localUser = (address: string) => (Object.keys(users) as MailUser[]).find((u) => users[u].address === address.toLowerCase());

  const smtpServer = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: "sender" });
    },
    onRcptTo(_address, _session, callback) {
      callback(refusal() ?? null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        void (async () => {
          const refused = refusal();
          if (refused) return callback(refused);
          const raw = Buffer.concat(chunks);
          const to = session.envelope.rcptTo.map((r) => r.address);
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to, raw, parsed: await simpleParser(raw) });
          for (const address of to) {
            const user = localUser(address);
            if (user) await deliver(user, raw);
          }
          callback(null);
        })().catch((err: unknown) => callback(Object.assign(err instanceof Error ? err : new Error(String(err)), { responseCode: 451 })));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtpServer.once("error", reject);
    smtpServer.listen(0, "127.0.0.1", () => resolve());
  });
  const { port: smtpPort } = smtpServer.server.address() as AddressInfo;

  return {
    imap,
    smtp: { host: "127.0.0.1", port: smtpPort },
    users,
    deliver,
    received,
    failWith(code, message) {
      failure = code === undefined ? undefined : { code, message: message ?? (code >= 500 ? "Mailbox unavailable" : "Try again later") };
    },
    connect,
    kick: (user) => dovecot.kick(users[user].user),
    async stop() {
      await new Promise<void>((resolve) => smtpServer.close(() => resolve()));
      await dovecot.stop();
    },
  };
}
