/**
 * Where a first mail goes: one address, `a@b` or `Name <a@b>`. A first mail starts a new thread,
 * so its Message-ID is chosen here, before it is sent: that id is the thread's root, which every
 * reply names in References (or In-Reply-To), so the address names the conversation a reply will
 * arrive in. Its subject comes from the message's first line.
 */
import { randomUUID } from "node:crypto";
import type { Address, ChannelContext } from "../../core/channel.ts";
import { RequestError } from "../../core/errors.ts";

export const EMAIL_TARGET_FORMS = "one email address, as a@example.com or Name <a@example.com>";

/** What a first mail needs, carried in `Address.ref`; a reply's ref never has `first`. */
export interface FirstMailRef {
  first: true;
  /** The new thread's root Message-ID (no angle brackets). */
  messageId: string;
  /** The recipient as the To header shows it, with the name when one was given. */
  to: string;
}

/** The longest subject taken from a first line; longer lines are cut at a word. */
const MAX_SUBJECT_LENGTH = 78;

const addressPattern = /^[^\s@<>()[\],;:"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** `ownAddresses`: the mailbox and its aliases, lower-cased; mailing ourselves would start a loop. */
export function resolveEmailTarget(to: string, ownAddresses: readonly string[], domain: string): Address {
  const target = to.trim();
  if (!target) throw new RequestError(400, `no email target given; write ${EMAIL_TARGET_FORMS}`);
  const named = /^(?:"([^"]*)"|([^<>"]*?))\s*<([^<>]+)>$/.exec(target);
  const address = (named ? named[3]! : target).trim();
  const name = named ? (named[1] ?? named[2] ?? "").trim() : "";
  if (/[,;]/.test(address) || (!named && /\s/.test(address))) throw new RequestError(400, `"${target}" is not one email address; send to ${EMAIL_TARGET_FORMS}`);
  if (!addressPattern.test(address)) throw new RequestError(400, `"${target}" is not an email address; write ${EMAIL_TARGET_FORMS}`);
  if (ownAddresses.includes(address.toLowerCase())) throw new RequestError(422, `${address.toLowerCase()} is this channel's own address; mailing it would start a loop`);
  const ref: FirstMailRef = { first: true, messageId: `${randomUUID()}@${domain}`, to: name ? `"${name.replace(/["\\\r\n]/g, "")}" <${address}>` : address };
  // The conversation is the thread's root, as for every mail. A mail thread is not a DM (others
  // may be copied in), so the address names no user: the recipient travels in the ref.
  return { conversation: ref.messageId, ref: JSON.stringify(ref) };
}

export function readFirstMailRef(ref: string | undefined): FirstMailRef | undefined {
  if (ref === undefined) return undefined;
  try {
    const value = JSON.parse(ref) as Partial<FirstMailRef> | null;
    if (value?.first === true && typeof value.messageId === "string" && typeof value.to === "string") return { first: true, messageId: value.messageId, to: value.to };
  } catch {
    // A reply's ref, or none of ours.
  }
  return undefined;
}

/** A subject from the message's first line of text, without markdown marks; never empty. */
export function subjectFromText(markdown: string, fallback: string): string {
  const line =
    markdown
      .split(/\r?\n/)
      .filter((l) => !/^\s*(```|~~~)/.test(l))
      .map((l) => l.replace(/^\s{0,3}(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)/, "").replace(/[*_`~]+/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").trim())
      .find((l) => l !== "" && !/^[-=]+$/.test(l)) ?? "";
  const text = line.replace(/\s+/g, " ").trim();
  if (!text) return fallback;
  if (text.length <= MAX_SUBJECT_LENGTH) return text;
  const cut = text.slice(0, MAX_SUBJECT_LENGTH - 1);
  const atWord = cut.lastIndexOf(" ");
  return `${(atWord > MAX_SUBJECT_LENGTH / 2 ? cut.slice(0, atWord) : cut).trimEnd()}…`;
}

/** The headers of one mail sent to a first-mail address. */
export interface FirstMailHeaders {
  messageId: string;
  subject: string;
  inReplyTo?: string;
  references?: string[];
}

/**
 * The first mail sent to the address gets the root Message-ID and a subject from its text; the
 * same outbox item sent again (a retry) gets the same again. Any further mail to the address (the
 * rest of a long message) answers the root, so it stays in the thread. Which item took the root
 * is kept in the channel's durable state, so a restart between the two does not change it.
 */
export async function firstMailHeaders(
  state: ChannelContext["state"],
  ref: FirstMailRef,
  message: { idempotencyKey: string; text: string },
  otherMessageId: string,
  fallbackSubject: string,
): Promise<FirstMailHeaders> {
  const key = `first-mail:${ref.messageId}`;
  const recorded = parseRecord(await state.get(key));
  if (recorded === undefined) {
    const subject = subjectFromText(message.text, fallbackSubject);
    await state.set(key, JSON.stringify({ item: message.idempotencyKey, subject }));
    return { messageId: ref.messageId, subject };
  }
  if (recorded.item === message.idempotencyKey) return { messageId: ref.messageId, subject: recorded.subject };
  return { messageId: otherMessageId, subject: `Re: ${recorded.subject}`, inReplyTo: ref.messageId, references: [ref.messageId] };
}

function parseRecord(value: string | undefined): { item: string; subject: string } | undefined {
  if (value === undefined) return undefined;
  try {
    const record = JSON.parse(value) as { item?: unknown; subject?: unknown };
    if (typeof record.item === "string" && typeof record.subject === "string") return { item: record.item, subject: record.subject };
  } catch {
    // Unreadable: treated as not sent yet.
  }
  return undefined;
}
