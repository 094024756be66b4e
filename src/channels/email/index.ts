/**
 * The `email` channel: a mailbox read over IMAP (IDLE, with polling as the fallback) and
 * replies sent over SMTP. A mail is answered in the thread it belongs to, found through
 * Message-ID, In-Reply-To and References; a new subject starts a new conversation. Automatic
 * mail (autoresponders, bulk, lists, bounces, noreply, our own) is never answered, and replies
 * per sender are rate-limited, so the gateway cannot loop with another robot.
 */
import { createHash } from "node:crypto";
import type { Address, Channel, ChannelContext, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { makeEnvelope } from "../../core/envelope.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { domainOf, EmailSender, type SmtpOptions } from "./egress.ts";
import { ImapInbox, type ImapOptions } from "./imap.ts";
import { PollerLease } from "../../core/poller-lease.ts";
import { automaticReason } from "./loop.ts";
import { parseMail, type ParsedMail } from "./parse.ts";
import { SenderRateLimit } from "./rate-limit.ts";
import { firstMailHeaders, readFirstMailRef, resolveEmailTarget } from "./target.ts";
import { replyHeaders, replySubject, threadRoot } from "./threading.ts";

export interface EmailChannelOptions {
  id: string;
  address: string;
  name?: string;
  replyTo?: string;
  aliases?: string[];
  imap: ImapOptions;
  smtp: Omit<SmtpOptions, "from" | "replyTo">;
  rateLimit?: { max: number; windowMs: number };
  threadStrategy?: ThreadStrategy;
}

/** What a reply needs to thread under the mail it answers; carried in `Address.ref`. */
interface ReplyRef {
  messageId: string;
  references: string[];
  subject: string;
}

export class EmailChannel implements Channel {
  readonly id: string;
  readonly type = "email";
  readonly capabilities = { edit: false, stream: false, threads: true, typing: false };
  /** One mail can be long; split only very long answers. */
  readonly maxMessageLength = 100_000;
  readonly threadStrategy: ThreadStrategy | undefined;
  private readonly options: EmailChannelOptions;
  private readonly own: string[];
  private readonly limiter: SenderRateLimit;
  private sender: EmailSender | undefined;
  private inbox: ImapInbox | undefined;
  private lease: PollerLease | undefined;
  private state: ChannelContext["state"] | undefined;

  constructor(options: EmailChannelOptions) {
    this.id = options.id;
    this.options = options;
    this.threadStrategy = options.threadStrategy;
    this.own = [options.address, ...(options.aliases ?? [])].map((a) => a.toLowerCase());
    this.limiter = new SenderRateLimit(options.rateLimit ?? { max: 10, windowMs: 3_600_000 });
  }

  async start(ctx: ChannelContext): Promise<void> {
    const from = this.options.name ? `"${this.options.name.replace(/"/g, "")}" <${this.options.address}>` : this.options.address;
    this.sender = new EmailSender({ ...this.options.smtp, from, replyTo: this.options.replyTo });
    this.state = ctx.state;
    // Several gateways on one store: one reads the mailbox, the others stand by.
    const imap = this.options.imap;
    const lease = (this.lease = new PollerLease({ name: `imap:${imap.user}@${imap.host}:${imap.port}/${imap.mailbox ?? "INBOX"}`, ttlMs: 15_000, leases: ctx.leases, log: ctx.log, what: "the mailbox reader" }));
    lease.start();
    this.inbox = new ImapInbox(this.options.imap, ctx.state, ctx.log, () => lease.held);
    // The inbox flags a mail as processed only after this resolves: after the durable accept.
    await this.inbox.start(async (raw) => this.receive(ctx, await parseMail(raw)));
  }

  /** Whether this gateway is the one reading the mailbox. */
  get reading(): boolean {
    return this.inbox?.reading ?? false;
  }

  async stop(): Promise<void> {
    await this.lease?.stop();
    await this.inbox?.stop();
    await this.lease?.release();
    this.lease = undefined;
    this.sender?.close();
    this.inbox = undefined;
    this.sender = undefined;
    this.state = undefined;
  }

  private async receive(ctx: ChannelContext, mail: ParsedMail): Promise<void> {
    const reason = automaticReason(mail, this.own);
    if (reason) {
      ctx.log.info("mail not answered", { channel: this.id, messageId: mail.messageId, reason });
      return;
    }
    if (!this.limiter.allow(mail.from.address)) {
      ctx.log.warn("mail not answered: the sender is over the reply rate limit", { channel: this.id, messageId: mail.messageId });
      return;
    }
    const root = threadRoot(mail);
    const ref: ReplyRef = { messageId: mail.messageId, references: mail.references, subject: mail.subject };
    const result = await ctx.accept(
      makeEnvelope({
        channel: this.id,
        source: this.type,
        eventId: mail.messageId,
        sender: { id: mail.from.address, email: mail.from.address, ...(mail.from.name ? { name: mail.from.name } : {}) },
        text: mail.text || mail.subject,
        // One conversation per mail thread: a reply continues it, a new subject starts another.
        conversation: { id: root, kind: "group" },
        attachments: mail.attachments,
        replyRef: JSON.stringify(ref),
      }),
    );
    if (result.status === "rejected") ctx.log.warn("mail refused at accept", { channel: this.id, messageId: mail.messageId, reason: result.reason });
  }

  format(markdown: string): string {
    return markdown; // rendered into text and HTML parts when sent
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    if (!this.sender) throw new Error(`channel "${this.id}" is not started`);
    // The same outbox item always gets the same Message-ID, so a retry after a lost answer is
    // recognisable as the same mail.
    const messageId = `${createHash("sha256").update(message.idempotencyKey).digest("hex").slice(0, 32)}@${this.options.address.split("@")[1]}`;
    const first = readFirstMailRef(message.to.ref);
    if (first) {
      if (!this.state) throw new Error(`channel "${this.id}" is not started`);
      const headers = await firstMailHeaders(this.state, first, message, messageId, `A message from ${this.options.name ?? this.options.address}`);
      const sent = await this.sender.send({ to: first.to, markdown: message.text, ...headers, automatic: "generated" });
      return { platformId: sent.messageId };
    }
    const to = message.to.user ?? message.to.conversation;
    const ref = message.to.ref ? (JSON.parse(message.to.ref) as ReplyRef) : undefined;
    const sent = await this.sender.send({
      to,
      subject: replySubject(ref?.subject ?? ""),
      markdown: message.text,
      messageId,
      ...(ref ? replyHeaders(ref) : {}),
    });
    return { platformId: sent.messageId };
  }

  /** A new mail thread to one address; replies to it continue in the conversation it names. */
  async resolveTarget(to: string): Promise<Address> {
    return resolveEmailTarget(to, this.own, domainOf(this.options.address));
  }
}

export function createEmailChannel(options: EmailChannelOptions): EmailChannel {
  return new EmailChannel(options);
}
