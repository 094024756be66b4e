/**
 * Turns one raw RFC 5322 mail into the fields the email channel needs, with mailparser doing
 * the MIME work (RFC 2047 headers, base64, quoted-printable, legacy charsets, HTML to text).
 * `text` is only what the sender wrote this time (see quotes.ts); attachments are kept as
 * metadata, never content.
 */
import { createHash } from "node:crypto";
import type { AddressObject, EmailAddress } from "mailparser";
import { simpleParser } from "mailparser";
import { stripQuotedReply } from "./quotes.ts";

export interface ParsedMail {
  /** Without <>; a stable hash of the raw mail when the header is missing. */
  messageId: string;
  /** Without <>. */
  inReplyTo: string | undefined;
  /** Without <>, oldest first. */
  references: string[];
  subject: string;
  /** The address is lower-cased. */
  from: { address: string; name?: string };
  to: string[];
  cc: string[];
  date: Date | undefined;
  /** Only the new part: quoted replies and signatures stripped; HTML-only mail converted to text. */
  text: string;
  /** The whole plain text, unstripped. */
  fullText: string;
  attachments: Array<{ name: string; mimeType?: string; size?: number }>;
  /** Lower-cased names; values unfolded, with RFC 2047 words decoded; repeated headers as arrays. */
  headers: Map<string, string | string[]>;
}

/** Message-IDs in a header value, without <>, in order. Bare ids (no brackets) are accepted too. */
function messageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(" ") : value;
  const bracketed = [...joined.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1]!);
  if (bracketed.length > 0) return bracketed;
  return joined.split(/[\s,]+/).filter((id) => id.includes("@"));
}

function flattenAddresses(list: EmailAddress[]): EmailAddress[] {
  return list.flatMap((entry) => (entry.group ? flattenAddresses(entry.group) : [entry]));
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (field === undefined) return [];
  const objects = Array.isArray(field) ? field : [field];
  return flattenAddresses(objects.flatMap((object) => object.value))
    .map((entry) => entry.address?.toLowerCase() ?? "")
    .filter((address) => address !== "");
}

/** Decodes RFC 2047 encoded words in a raw header value (for headers mailparser keeps structured). */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=(\s+(?==\?))?/g, (word, charset: string, encoding: string, text: string) => {
    const bytes =
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64")
        : Buffer.from(
            text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            "latin1",
          );
    try {
      return new TextDecoder(charset.split("*")[0]!).decode(bytes);
    } catch {
      return word;
    }
  });
}

/** Header values as the sender wrote them, unfolded, so loop checks see "<>" and "auto-replied" verbatim. */
function rawHeaders(lines: ReadonlyArray<{ key: string; line: string }>): Map<string, string | string[]> {
  const headers = new Map<string, string | string[]>();
  for (const { key, line } of lines) {
    const name = key.toLowerCase();
    const colon = line.indexOf(":");
    const value = decodeWords(line.slice(colon + 1).replace(/\r?\n[ \t]+/g, " ").trim());
    const existing = headers.get(name);
    if (existing === undefined) headers.set(name, value);
    else headers.set(name, Array.isArray(existing) ? [...existing, value] : [existing, value]);
  }
  return headers;
}

const stripBrackets = (id: string) => id.trim().replace(/^<|>$/g, "");

export async function parseMail(raw: Buffer | string): Promise<ParsedMail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const headers = rawHeaders(mail.headerLines);
  const sender = mail.from?.value[0];
  const name = sender?.name.trim();
  const fullText = (mail.text ?? "").replace(/\r\n?/g, "\n");
  const references = messageIds(headers.get("references"));
  const inReplyTo = messageIds(headers.get("in-reply-to"))[0];
  const messageId = mail.messageId
    ? stripBrackets(mail.messageId)
    : `${createHash("sha256").update(raw).digest("hex").slice(0, 32)}@switchboard.invalid`;
  return {
    messageId,
    inReplyTo,
    references,
    subject: mail.subject ?? "",
    from: { address: sender?.address?.toLowerCase() ?? "", ...(name ? { name } : {}) },
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    date: mail.date,
    text: stripQuotedReply(fullText),
    fullText,
    attachments: mail.attachments.map((attachment) => ({
      name: attachment.filename ?? "attachment",
      mimeType: attachment.contentType,
      size: attachment.size,
    })),
    headers,
  };
}
