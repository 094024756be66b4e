/**
 * Identity links: one person's ids on several platforms, joined into one gateway user. The
 * config lists, per user, the identities that are theirs: `<channel id>:<sender id>` (e.g.
 * `slack:U0123`, `telegram:42`) or an email address, matched against the email the platform
 * vouches for (Slack's profile, the mail's sender). A linked user's allowlist entries, per-user
 * rate limit and agent settings then apply on every platform.
 */
import type { Envelope } from "../envelope.ts";

export type IdentityLinks = Record<string, string[]>;

/** Builds the lookup once; returns the gateway user a message's sender is, if linked. */
export function identityResolver(links: IdentityLinks | undefined): (envelope: Envelope) => string | undefined {
  const byIdentity = new Map<string, string>();
  for (const [user, identities] of Object.entries(links ?? {})) {
    for (const identity of identities) byIdentity.set(identityKey(identity), user);
  }
  return (envelope) => {
    if (byIdentity.size === 0) return undefined;
    const { sender } = envelope;
    return byIdentity.get(`${envelope.channel}:${sender.id}`) ?? (sender.email !== undefined ? byIdentity.get(sender.email.toLowerCase()) : undefined);
  };
}

/** Config check: an identity belongs to one user only. */
export function identityLinkIssues(links: IdentityLinks): Array<{ user: string; index: number; message: string }> {
  const owner = new Map<string, string>();
  const issues: Array<{ user: string; index: number; message: string }> = [];
  for (const [user, identities] of Object.entries(links)) {
    identities.forEach((identity, index) => {
      const key = identityKey(identity);
      if (!key.includes("@") && !/^[A-Za-z0-9_-]+:.+$/.test(key)) {
        issues.push({ user, index, message: `"${identity}" is neither <channel id>:<sender id> (e.g. slack:U0123) nor an email address` });
      }
      const other = owner.get(key);
      if (other !== undefined && other !== user) issues.push({ user, index, message: `"${identity}" is already linked to "${other}"; an identity belongs to one user` });
      owner.set(key, user);
    });
  }
  return issues;
}

/** Emails match in any case; `<channel>:<id>` identities exactly. */
function identityKey(identity: string): string {
  return identity.includes("@") && !identity.includes(":") ? identity.toLowerCase() : identity;
}
