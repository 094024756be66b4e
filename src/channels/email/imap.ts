/**
 * Reads new mail from one IMAP mailbox, one message at a time in UID order, and hands each raw
 * message to the caller. The position is a durable checkpoint (UIDVALIDITY + last UID), advanced
 * and the message flagged \Seen (or moved) only after the caller's `onMail` resolves, so a crash
 * or a failed hand-off means the mail is read again, never lost.
 */
import { ImapFlow } from "imapflow";
import { SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";

/** Where the inbox keeps its position between runs. */
export interface CheckpointStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface ImapOptions {
  host: string;
  port: number;
  secure?: boolean;
  user: string;
  password: string;
  /** The mailbox to read; INBOX by default. */
  mailbox?: string;
  /** How often to look for mail when IDLE is off or silent; 30 s by default. */
  pollIntervalMs?: number;
  /** Wait for new mail with IDLE (true by default); polling still runs as a fallback. */
  idle?: boolean;
  /** Move handled mail into this folder instead of flagging it \Seen. */
  processedFolder?: string;
}

export type MailHandler = (raw: Buffer, uid: number) => Promise<void>;



interface Checkpoint {
  uidValidity: string;
  uid: number;
}

const maxBackoffMs = 60_000;

export class ImapInbox {
  private readonly options: ImapOptions;
  private readonly checkpoints: CheckpointStore;
  private readonly log: Logger;
  private readonly mailbox: string;
  private readonly pollIntervalMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private client: ImapFlow | undefined;
  /** Several gateways on one store: only the holder of the mailbox's lease reads it. */
  private readonly mayRead: (() => boolean) | undefined;
  private holding = false;
  /** Ends the current wait (for mail, or before a retry) early. */
  private wake: () => void = () => {};

  constructor(options: ImapOptions, checkpoints: CheckpointStore, log: Logger, mayRead?: () => boolean) {
    this.options = options;
    this.mayRead = mayRead;
    this.checkpoints = checkpoints;
    this.log = log;
    this.mailbox = options.mailbox ?? "INBOX";
    this.pollIntervalMs = options.pollIntervalMs ?? 30_000;
  }

  /** The checkpoint's key: one position per account and mailbox. */
  get checkpointKey(): string {
    return `imap:${this.options.user}@${this.options.host}:${this.options.port}/${this.mailbox}`;
  }

  /**
   * Calls `onMail` for every new mail (UID above the durable checkpoint, UIDVALIDITY-aware), in
   * UID order, one at a time. Resolves once the mailbox is open; rejects if the server refuses
   * the login (a configuration error). Other connection failures are retried with backoff.
   */
  async start(onMail: MailHandler): Promise<void> {
    if (this.running) throw new SwitchboardError("the IMAP inbox is already started");
    this.running = true;
    let opened!: () => void;
    let refused!: (err: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      opened = resolve;
      refused = reject;
    });
    this.loop = this.run(onMail, opened, refused);
    try {
      await ready;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Finishes the mail in hand (if any), then logs out. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    const client = this.client;
    // A connection attempt or a command in flight must not hold stop() up for a socket timeout.
    if (client && !client.usable) client.close();
    await this.loop;
    this.loop = undefined;
    this.holding = false;
  }

  /** Whether this gateway is the one reading the mailbox (it holds the lease, if there is one). */
  get reading(): boolean {
    return this.running && this.holding;
  }

  private async run(onMail: MailHandler, opened: () => void, refused: (err: unknown) => void): Promise<void> {
    let failures = 0;
    let first = true;
    while (this.running) {
      const client = this.connect();
      this.client = client;
      try {
        await client.connect();
        await client.mailboxOpen(this.mailbox);
        if (first) opened();
        first = false;
        failures = 0;
        await this.session(client, onMail);
      } catch (err) {
        if (!this.running) break;
        if (first && isAuthFailure(err)) {
          refused(new SwitchboardError(`the IMAP server ${this.options.host}:${this.options.port} refused the login for "${this.options.user}": check the user and password`, { status: 502, cause: err }));
          break;
        }
        if (first) opened();
        first = false;
        failures++;
        const delay = Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 6));
        this.log.warn("IMAP connection failed; reconnecting", { error: err, mailbox: this.mailbox, retryInMs: delay });
        await this.pause(delay);
      } finally {
        await closeQuietly(client);
        this.client = undefined;
      }
    }
    if (first) opened();
  }

  /** Drain, then wait for more, until stopped or the connection drops (which throws). */
  private async session(client: ImapFlow, onMail: MailHandler): Promise<void> {
    let failures = 0;
    while (this.running) {
      if (!(await this.holdLease())) {
        // Another gateway reads this mailbox; check again after a poll interval.
        await this.pause(this.pollIntervalMs);
        if (!client.usable) throw new Error("the IMAP connection closed");
        continue;
      }
      const ok = await this.drain(client, onMail);
      if (!this.running) return;
      if (!client.usable) throw new Error("the IMAP connection closed");
      failures = ok ? 0 : failures + 1;
      if (ok) await this.waitForMail(client);
      // A failed hand-off is retried sooner than the next poll, backing off while it keeps failing.
      else await this.pause(Math.min(this.pollIntervalMs, 1000 * 2 ** Math.min(failures - 1, 6)));
    }
  }

  /** Hand over every mail above the checkpoint. False if `onMail` threw (the rest waits). */
  private async drain(client: ImapFlow, onMail: MailHandler): Promise<boolean> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error("no mailbox is open");
    const uidValidity = mailbox.uidValidity.toString();
    let checkpoint = await this.readCheckpoint();
    if (!checkpoint || checkpoint.uidValidity !== uidValidity) checkpoint = await this.resetCheckpoint(client, uidValidity, checkpoint);
    const after = checkpoint.uid;
    const found = await client.search({ uid: `${after + 1}:*` }, { uid: true });
    // "n:*" matches the highest UID even when it is below n, so filter again.
    const uids = (found || []).filter((uid) => uid > after).sort((a, b) => a - b);
    for (const uid of uids) {
      if (!this.running) return true;
      // A long drain renews the lease as it goes, and stops if another gateway took over.
      if (!(await this.holdLease())) return true;
      const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (message && message.source) {
        try {
          await onMail(message.source, uid);
        } catch (err) {
          this.log.warn("mail not taken; it will be retried", { uid, mailbox: this.mailbox, error: err });
          return false;
        }
        if (this.options.processedFolder) await client.messageMove(String(uid), this.options.processedFolder, { uid: true });
        else await client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true });
      }
      checkpoint = { uidValidity, uid };
      await this.checkpoints.set(this.checkpointKey, JSON.stringify(checkpoint));
    }
    return true;
  }

  /**
   * A first start, or the server renumbered the mailbox (UIDVALIDITY changed), so old UIDs mean
   * nothing. Start at the oldest unread mail: read mail was handled before, or by a person.
   */
  private async resetCheckpoint(client: ImapFlow, uidValidity: string, old: Checkpoint | undefined): Promise<Checkpoint> {
    const unseen = (await client.search({ seen: false }, { uid: true })) || [];
    const oldest = unseen.length > 0 ? Math.min(...unseen) : (client.mailbox ? client.mailbox.uidNext : 1);
    const checkpoint = { uidValidity, uid: Math.max(0, oldest - 1) };
    if (old) this.log.warn("IMAP UIDVALIDITY changed; reading from the oldest unread mail", { mailbox: this.mailbox, was: old.uidValidity, now: uidValidity });
    await this.checkpoints.set(this.checkpointKey, JSON.stringify(checkpoint));
    return checkpoint;
  }

  private async holdLease(): Promise<boolean> {
    this.holding = this.mayRead?.() ?? true;
    return this.holding;
  }

  private async readCheckpoint(): Promise<Checkpoint | undefined> {
    const value = await this.checkpoints.get(this.checkpointKey);
    if (value === undefined) return undefined;
    try {
      const parsed = JSON.parse(value) as Partial<Checkpoint>;
      if (typeof parsed.uidValidity === "string" && typeof parsed.uid === "number") return { uidValidity: parsed.uidValidity, uid: parsed.uid };
    } catch {
      // fall through: an unreadable checkpoint is treated like none
    }
    this.log.warn("unreadable IMAP checkpoint; starting over", { key: this.checkpointKey });
    return undefined;
  }

  /** Until new mail is announced (IDLE), the poll interval passes, the connection drops or stop(). */
  private waitForMail(client: ImapFlow): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off("exists", done);
        client.off("close", done);
        this.wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      client.on("exists", done);
      client.on("close", done);
      this.wake = done;
      // The next command (the drain's SEARCH, or LOGOUT) ends the IDLE.
      if (this.options.idle !== false) client.idle().catch((err: unknown) => this.log.debug("IMAP IDLE ended with an error", { error: err }));
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private connect(): ImapFlow {
    const client = new ImapFlow({
      host: this.options.host,
      port: this.options.port,
      secure: this.options.secure ?? false,
      auth: { user: this.options.user, pass: this.options.password },
      logger: false,
      // IDLE is started by waitForMail, right after each drain, not after imapflow's 15 s delay.
      disableAutoIdle: true,
    });
    // Without a listener an 'error' event would crash the process; the failing command throws anyway.
    client.on("error", (err: unknown) => this.log.debug("IMAP connection error", { error: err }));
    return client;
  }
}

function isAuthFailure(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { authenticationFailed?: unknown }).authenticationFailed === true;
}

async function closeQuietly(client: ImapFlow): Promise<void> {
  if (client.usable) {
    try {
      await client.logout();
      return;
    } catch {
      // fall through to a hard close
    }
  }
  client.close();
}
