/**
 * Issuing a channel key into the store: the CLI's `channels key`, and the first start that finds
 * an http channel without one. The record is read, extended and written back, and the event goes
 * to the audit log. `ifNone` is the first-start path: gateways starting together on one store take
 * a lease and look again, so only one of them makes (and prints) a key.
 */
import type { Store } from "../../store/store.ts";
import { activeEntries, CHANNEL_KEYS_STATE, decryptChannelKeys, issueChannelKey, parseChannelKeyRecord, type IssuedKey } from "./channel-keys.ts";
import type { Vault } from "./vault.ts";

export interface StoreChannelKeyOptions {
  store: Store;
  vault: Vault;
  channelId: string;
  /** Who asked, for the audit log (`admin:cli`, `admin:start`, `admin:api`). */
  actor: string;
  rotate?: boolean;
  graceMs?: number;
  now?: number;
}

export async function storeChannelKey(options: StoreChannelKeyOptions): Promise<IssuedKey> {
  const { store, vault, channelId } = options;
  const now = options.now ?? Date.now();
  const raw = await store.getChannelState(channelId, CHANNEL_KEYS_STATE);
  const record = raw === undefined ? undefined : parseChannelKeyRecord(raw, channelId);
  const issued = issueChannelKey(record, { vault, channelId, now, rotate: options.rotate === true, graceMs: options.graceMs ?? 0 });
  await store.setChannelState(channelId, CHANNEL_KEYS_STATE, JSON.stringify(issued.record));
  const reason = issued.previousExpireAt === undefined ? "first key" : `old key valid until ${new Date(issued.previousExpireAt).toISOString()}`;
  await store.appendAudit([{ at: now, kind: issued.previousExpireAt === undefined ? "key.issued" : "key.rotated", channel: channelId, actor: options.actor, reason }]);
  return issued;
}

/** Whether the channel has a key in the store that has not expired (readable or not). */
export async function hasStoredChannelKey(store: Store, channelId: string, now = Date.now()): Promise<boolean> {
  const raw = await store.getChannelState(channelId, CHANNEL_KEYS_STATE);
  return raw !== undefined && activeEntries(parseChannelKeyRecord(raw, channelId), now).length > 0;
}

/**
 * A first key for the channel unless it has one: the new key, or undefined when another gateway
 * (or an earlier start) already made one. The lease keeps two starting gateways from both writing.
 */
export async function ensureChannelKey(options: Omit<StoreChannelKeyOptions, "rotate" | "graceMs"> & { holder: string }): Promise<string | undefined> {
  const { store, channelId, holder } = options;
  if (await hasStoredChannelKey(store, channelId)) return undefined;
  const lease = `channel-key-init:${channelId}`;
  for (let attempt = 0; !(await store.acquireLease(lease, holder, 10_000)); attempt++) {
    if (attempt >= 100) throw new Error(`could not make a key for channel ${channelId}: another gateway holds the lease ${lease}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    if (await hasStoredChannelKey(store, channelId)) return undefined;
    return (await storeChannelKey(options)).key;
  } finally {
    await store.releaseLease(lease, holder);
  }
}

/** The newest valid key of the channel in clear, for the CLI's own calls to a running gateway; undefined when none. */
export async function newestStoredChannelKey(store: Store, vault: Vault, channelId: string, now = Date.now()): Promise<string | undefined> {
  const raw = await store.getChannelState(channelId, CHANNEL_KEYS_STATE);
  if (raw === undefined) return undefined;
  return decryptChannelKeys(parseChannelKeyRecord(raw, channelId), vault, channelId, now)[0]?.key;
}
