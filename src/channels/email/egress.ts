/**
 * Outbound email: one reply per send over SMTP (nodemailer), as multipart/alternative with the
 * agent's markdown as text/plain and rendered text/html, threaded with In-Reply-To and
 * References. Nodemailer never retries; the gateway's outbox does, so every failure becomes a
 * DeliveryError that says whether trying again can help.
 */
import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { DeliveryError } from "../../core/errors.ts";
import { scrub } from "../../core/log.ts";
import { renderMarkdown } from "./render.ts";
import { bareMessageId } from "./threading.ts";

export interface SmtpOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465). Otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  user?: string;
  password?: string;
  /** `agent@example.com` or `"Agent" <agent@example.com>`. */
  from: string;
  replyTo?: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  markdown: string;
  /** Message-IDs with or without angle brackets. */
  inReplyTo?: string;
  references?: string[];
  /** Set it to keep the Message-ID stable across retries of the same reply. */
  messageId?: string;
  /** RFC 3834: `replied` (the default) answers a mail; `generated` is a mail the gateway starts. */
  automatic?: "replied" | "generated";
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

export class EmailSender {
  private readonly options: SmtpOptions;
  private readonly transport: Transport;

  constructor(options: SmtpOptions) {
    this.options = options;
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure ?? options.port === 465,
      ...(options.user !== undefined ? { auth: { user: options.user, pass: options.password ?? "" } } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  }

  /** Send one reply. 4xx → DeliveryError retryable; 5xx → DeliveryError not retryable; network → retryable. Returns the Message-ID it set. */
  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const messageId = mail.messageId !== undefined && bareMessageId(mail.messageId) !== "" ? bareMessageId(mail.messageId) : `${randomUUID()}@${domainOf(this.options.from)}`;
    const { text, html } = renderMarkdown(mail.markdown);
    const references = (mail.references ?? []).map(bareMessageId).filter((id) => id !== "");
    const inReplyTo = mail.inReplyTo !== undefined ? bareMessageId(mail.inReplyTo) : "";
    try {
      await this.transport.sendMail({
        from: this.options.from,
        ...(this.options.replyTo ? { replyTo: this.options.replyTo } : {}),
        to: mail.to,
        subject: mail.subject,
        messageId: `<${messageId}>`,
        ...(inReplyTo !== "" ? { inReplyTo: `<${inReplyTo}>` } : {}),
        ...(references.length > 0 ? { references: references.map((id) => `<${id}>`) } : {}),
        text,
        html: htmlDocument(html),
        headers: {
          // RFC 3834: marks the mail as an automatic answer, so vacation responders and other
          // robots do not answer it back (the start of a mail loop).
          "Auto-Submitted": mail.automatic === "generated" ? "auto-generated" : "auto-replied",
          "X-Auto-Response-Suppress": "All",
        },
      });
    } catch (error) {
      throw smtpDeliveryError(error);
    }
    return { messageId };
  }

  close(): void {
    this.transport.close();
  }
}

/** The domain of a From address, for generated Message-IDs. */
export function domainOf(from: string): string {
  const address = /<([^>]*)>\s*$/.exec(from)?.[1] ?? from;
  const domain = address.slice(address.lastIndexOf("@") + 1).trim().toLowerCase();
  return address.includes("@") && /^[a-z0-9.-]+$/.test(domain) ? domain : "localhost";
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** Errors that no retry can fix without a person changing the configuration. */
const configErrors = new Set(["EAUTH", "ENOAUTH", "ECONFIG", "EENVELOPE", "EOAUTH2", "EREQUIRETLS"]);

/** Turn any nodemailer failure into a DeliveryError; the server's reply is kept, credentials never. */
export function smtpDeliveryError(error: unknown): DeliveryError {
  const failure = (typeof error === "object" && error !== null ? error : {}) as SmtpFailure;
  const code = failure.responseCode;
  const reply = scrub(oneLine(failure.response ?? failure.message ?? String(error)));
  if (code !== undefined && code >= 400 && code < 500) {
    return new DeliveryError(`the SMTP server deferred the mail (${reply}); will retry`, { retryable: true, cause: error, status: 502 });
  }
  if (code !== undefined && code >= 500) {
    const hint = failure.code === "EAUTH" || code === 535 ? ": check the SMTP user and password" : "";
    return new DeliveryError(`the SMTP server refused the mail (${reply})${hint}`, { retryable: false, cause: error, status: 502 });
  }
  if (failure.code !== undefined && configErrors.has(failure.code)) {
    return new DeliveryError(`sending mail failed: ${scrub(oneLine(failure.message ?? failure.code))}`, { retryable: false, cause: error });
  }
  return new DeliveryError(`could not reach the SMTP server: ${scrub(oneLine(failure.message ?? String(error)))}`, { retryable: true, cause: error });
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

function htmlDocument(body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n${body}\n</body></html>\n`;
}
