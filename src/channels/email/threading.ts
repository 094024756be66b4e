/**
 * Email threading: which conversation a mail belongs to, and the Subject, In-Reply-To and
 * References a reply needs so that every mail client files it under the same thread
 * (RFC 5322 §3.6.4). Message-IDs are handled without their angle brackets throughout.
 */

/** References kept on a reply. Long chains are cut in the middle so the root and the recent past survive. */
export const MAX_REFERENCES = 20;

/** A Message-ID without the angle brackets and surrounding whitespace. */
export function bareMessageId(id: string): string {
  return id.trim().replace(/^<+/, "").replace(/>+$/, "").trim();
}

/** The conversation a mail belongs to: the root Message-ID (references[0] ?? inReplyTo ?? messageId). */
export function threadRoot(mail: { messageId: string; inReplyTo?: string | undefined; references: string[] }): string {
  const root = mail.references.map(bareMessageId).find((id) => id !== "");
  if (root !== undefined) return root;
  const parent = mail.inReplyTo !== undefined ? bareMessageId(mail.inReplyTo) : "";
  return parent !== "" ? parent : bareMessageId(mail.messageId);
}

/**
 * Reply prefixes that clients in different languages put on a subject: Re, Aw (German), Sv
 * (Scandinavian), Antw (Dutch), Odp (Polish), Ref, and counted forms like "Re[2]:" or "RE(3):".
 * Forward markers ("Fwd:", "Fw:", "WG:") are part of the subject and stay.
 */
const replyPrefix = /^\s*(?:re|aw|sv|antw|odp|ref)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;

/** The subject of a reply: exactly one "Re: ", never "Re: Re: " or "Re: RE: Aw: ". */
export function replySubject(subject: string): string {
  let rest = subject.replace(/[ \t]*[\r\n]+[ \t]*/g, " ").trim();
  for (let match = replyPrefix.exec(rest); match !== null; match = replyPrefix.exec(rest)) {
    rest = rest.slice(match[0].length);
  }
  rest = rest.trim();
  return rest === "" ? "Re:" : `Re: ${rest}`;
}

/**
 * In-Reply-To and References for a reply to `to`: the chain so far plus the mail replied to.
 * When the chain is long the first (the thread's root) and the most recent ids are kept, the
 * middle dropped, as RFC 5322 allows; duplicates are removed.
 */
export function replyHeaders(to: { messageId: string; references: string[] }): { inReplyTo: string; references: string[] } {
  const inReplyTo = bareMessageId(to.messageId);
  const seen = new Set<string>([inReplyTo]);
  const chain: string[] = [];
  for (const id of to.references.map(bareMessageId)) {
    if (id === "" || seen.has(id)) continue;
    seen.add(id);
    chain.push(id);
  }
  // The mail replied to always comes last, even if a broken client already listed it.
  if (inReplyTo !== "") chain.push(inReplyTo);
  const references = chain.length > MAX_REFERENCES ? [chain[0]!, ...chain.slice(chain.length - (MAX_REFERENCES - 1))] : chain;
  return { inReplyTo, references };
}
