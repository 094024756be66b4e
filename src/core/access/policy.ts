/**
 * Who may talk to a channel's agents. A channel's access policy decides, for each message,
 * whether its sender gets in, is offered pairing, or is turned away. The decision is pure: the
 * accept middleware (authorize.ts) gathers what it needs and acts on it.
 */
import type { Envelope } from "../envelope.ts";

/**
 * - `allowlist`: only the senders in `allow` (and members of the `groups` listed).
 * - `pairing`: also senders an admin approved; an unknown sender in a DM gets a one-time code.
 * - `open`: everyone (must be chosen explicitly).
 * - `disabled`: no one, not even the allowlist.
 */
export type AccessMode = "allowlist" | "pairing" | "open" | "disabled";

/** What a turned-away sender gets: one polite reply now and then, nothing, or a note to admins. */
export type UnmatchedHandling = "reply" | "silent" | "notify";

export interface AccessPolicy {
  policy: AccessMode;
  /** Sender ids, email addresses or linked users (`identityLinks`) let in under any policy but `disabled`. */
  allow: string[];
  /**
   * Group conversations (rooms, chats, channels) whose members may all talk. An entry also
   * covers the conversations inside it written `<entry>#…`: on GitHub, `owner/repo` lets in
   * every issue and pull request of the repository (`owner/repo#12`).
   */
  groups: string[];
  unmatched: UnmatchedHandling;
  pairing: { ttlMs: number; maxPending: number };
}

export type AccessDecision = { verdict: "allow" } | { verdict: "pair" } | { verdict: "deny"; reason: string; quiet: boolean };

export const defaultPairing = { ttlMs: 3_600_000, maxPending: 20 } as const;

/** `approved`: whether an admin approved this sender through pairing. */
export function decideAccess(access: AccessPolicy, envelope: Envelope, approved: boolean): AccessDecision {
  if (access.policy === "disabled") return { verdict: "deny", reason: "this channel is disabled", quiet: false };
  if (isListed(access.allow, envelope)) return { verdict: "allow" };
  if (access.policy === "open") return { verdict: "allow" };
  // Bots are never offered pairing nor answered: two bots must not talk each other into a loop.
  if (envelope.sender.bot) return { verdict: "deny", reason: "bots are not allowed here", quiet: true };
  if (envelope.conversation.kind === "group") {
    if (isGroupListed(access.groups, envelope.conversation.id)) return { verdict: "allow" };
  } else if (access.policy === "pairing") {
    return approved ? { verdict: "allow" } : { verdict: "pair" };
  }
  if (access.policy === "pairing" && approved) return { verdict: "allow" };
  return { verdict: "deny", reason: "you are not allowed to talk to this agent", quiet: false };
}

function isListed(allow: string[], envelope: Envelope): boolean {
  const { id, email, identity } = envelope.sender;
  const lowerEmail = email?.toLowerCase();
  return allow.some((entry) => entry === id || entry === identity || (lowerEmail !== undefined && entry.toLowerCase() === lowerEmail));
}

function isGroupListed(groups: string[], conversationId: string): boolean {
  return groups.some((entry) => conversationId === entry || conversationId.startsWith(`${entry}#`));
}
