/**
 * Generated channel keys, kept encrypted in the channel's own store state. Issuing a key while
 * another is active rotates it: the old key keeps working for a grace period, then only the new
 * one does. The record holds envelopes only; a key in clear exists just once, when it is printed.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { SecretError } from "./errors.ts";
import type { Vault } from "./vault.ts";

/** The channel-state entry holding a channel's keys. */
export const CHANNEL_KEYS_STATE = "secrets:channel-keys";

const recordSchema = z.object({
  v: z.literal(1),
  keys: z.array(z.object({ secret: z.string(), createdAt: z.number(), expiresAt: z.number().optional() })),
});

export type ChannelKeyRecord = z.output<typeof recordSchema>;

/** A recognizable prefix, so a leaked key is easy to find and to scrub from text. */
export const CHANNEL_KEY_PREFIX = "sbk_";

export function newChannelKey(): string {
  return CHANNEL_KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function channelKeyContext(channelId: string): string {
  return `channel-key:${channelId}`;
}

export function parseChannelKeyRecord(text: string, channelId: string): ChannelKeyRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = recordSchema.safeParse(parsed);
  if (!result.success) throw new SecretError(`the stored keys of channel ${channelId} are damaged (state "${CHANNEL_KEYS_STATE}")`);
  return result.data;
}

/** Keys still valid at `now`, newest first. */
export function activeEntries(record: ChannelKeyRecord | undefined, now: number): ChannelKeyRecord["keys"] {
  return (record?.keys ?? []).filter((k) => k.expiresAt === undefined || k.expiresAt > now).sort((a, b) => b.createdAt - a.createdAt);
}

export interface IssuedKey {
  key: string;
  record: ChannelKeyRecord;
  /** When the keys it replaced stop working; undefined when there were none. */
  previousExpireAt: number | undefined;
}

/**
 * A new key for the channel. With an active key already there, `rotate` must be set: the active
 * keys then expire after `graceMs` (0: at once), and expired entries are dropped.
 */
export function issueChannelKey(
  record: ChannelKeyRecord | undefined,
  options: { vault: Vault; channelId: string; now: number; rotate: boolean; graceMs: number },
): IssuedKey {
  const { vault, channelId, now } = options;
  const active = activeEntries(record, now);
  if (active.length > 0 && !options.rotate) throw new SecretError(`channel ${channelId} already has a key; rotate it with --rotate (the old key then works for --grace, 1h by default)`);
  // Refuse to rewrite a record this master key cannot read: rotating would hide the problem.
  for (const entry of active) vault.decrypt(entry.secret, channelKeyContext(channelId), `a key of channel ${channelId}`);
  const expiresAt = now + options.graceMs;
  const kept = active.map((k) => ({ ...k, expiresAt: Math.min(k.expiresAt ?? Number.POSITIVE_INFINITY, expiresAt) })).filter((k) => k.expiresAt > now);
  const key = newChannelKey();
  const fresh = { secret: vault.encrypt(key, channelKeyContext(channelId)), createdAt: now };
  return { key, record: { v: 1, keys: [fresh, ...kept] }, previousExpireAt: active.length > 0 ? expiresAt : undefined };
}

/** The keys in clear, with their expiry; throws SecretError when the vault cannot read them. */
export function decryptChannelKeys(record: ChannelKeyRecord, vault: Vault, channelId: string, now: number): Array<{ key: string; expiresAt: number | undefined }> {
  return activeEntries(record, now).map((entry) => ({
    key: vault.decrypt(entry.secret, channelKeyContext(channelId), `a key of channel ${channelId}`),
    expiresAt: entry.expiresAt,
  }));
}

/**
 * The same record written under the vault's current key, without expired keys; `changed`
 * counts the values rewritten or dropped (0: nothing to write).
 */
export function reencryptChannelKeys(record: ChannelKeyRecord, vault: Vault, channelId: string, now: number): { record: ChannelKeyRecord; changed: number } {
  const context = channelKeyContext(channelId);
  const active = activeEntries(record, now);
  let changed = record.keys.length - active.length;
  const keys = active.map((entry) => {
    if (vault.isCurrent(entry.secret)) return entry;
    changed++;
    return { ...entry, secret: vault.encrypt(vault.decrypt(entry.secret, context, `a key of channel ${channelId}`), context) };
  });
  return { record: { v: 1, keys }, changed };
}
