/**
 * What a Discord reply needs to know about the message it answers, carried through the core as
 * the opaque `Address.ref`: either the triggering message (to reply to it), or a slash command's
 * interaction (its webhook token answers it, until the token expires).
 */

/** Discord's interaction tokens are valid for 15 minutes; stop using one a little before. */
export const INTERACTION_TOKEN_TTL_MS = 15 * 60_000 - 30_000;

export type DiscordReplyRef =
  | { kind: "message"; messageId: string }
  | { kind: "interaction"; applicationId: string; token: string; expiresAt: number };

export function encodeReplyRef(ref: DiscordReplyRef): string {
  return JSON.stringify(ref);
}

/** Undefined for a missing or foreign ref: the reply then goes out as a plain channel message. */
export function decodeReplyRef(ref: string | undefined): DiscordReplyRef | undefined {
  if (!ref) return undefined;
  try {
    const value = JSON.parse(ref) as Partial<Record<string, unknown>>;
    if (value.kind === "message" && typeof value.messageId === "string") return { kind: "message", messageId: value.messageId };
    if (value.kind === "interaction" && typeof value.applicationId === "string" && typeof value.token === "string" && typeof value.expiresAt === "number") {
      return { kind: "interaction", applicationId: value.applicationId, token: value.token, expiresAt: value.expiresAt };
    }
  } catch {
    // Not ours.
  }
  return undefined;
}

/**
 * The outbox key is `turnId:seq`; the streaming placeholder is `turnId:stream`. The first part of
 * a reply answers the message (reply reference, or the interaction's original response); the
 * others follow it.
 */
export function isFirstPart(idempotencyKey: string): boolean {
  return idempotencyKey.endsWith(":0") || idempotencyKey.endsWith(":stream");
}
