/**
 * `switchboard channels key <channel> [--rotate] [--grace 1h]`: make a key for an http or
 * webhook channel, kept encrypted in the store and printed once (alone on stdout, so it can be
 * captured). A running gateway picks it up within a second, no restart needed. With --rotate the
 * old key keeps working for the grace period, then only the new one does.
 */
import { openStore } from "../store/open.ts";
import { parseDuration } from "../config/duration.ts";
import { resolveConfig } from "./config.ts";
import { CHANNEL_KEYS_STATE, issueChannelKey, keyringSource, MISSING_MASTER_KEY, parseChannelKeyRecord, resolveKeyring, Vault } from "../core/secrets/index.ts";

const keyedTypes = new Set(["http", "webhook"]);
const DEFAULT_GRACE_MS = 3_600_000;

export async function channels(args: string[], options: { config?: string; rotate?: boolean; grace?: string }): Promise<number> {
  const [action, channelId] = args;
  if (action !== "key" || channelId === undefined) {
    console.error("usage: switchboard channels key <channel> [--rotate] [--grace 1h]");
    return 2;
  }
  const graceMs = options.grace === undefined ? DEFAULT_GRACE_MS : parseDuration(options.grace);
  if (graceMs === undefined) {
    console.error(`--grace: "${options.grace}" is not a duration (e.g. 30m, 1h, 0 to end the old key at once)`);
    return 2;
  }
  const { config, baseDir } = await resolveConfig(options.config);
  const channel = config.channels[channelId];
  if (!channel) {
    console.error(`no channel "${channelId}" in the config (channels: ${Object.keys(config.channels).join(", ") || "none"})`);
    return 1;
  }
  if (!keyedTypes.has(channel.type)) {
    console.error(`channel "${channelId}" is a ${channel.type} channel; generated keys authenticate http and webhook channels (other platforms sign their own requests)`);
    return 1;
  }
  const keyring = resolveKeyring(keyringSource(config.secrets, baseDir));
  if (!keyring) {
    console.error(`cannot store a channel key: ${MISSING_MASTER_KEY}`);
    return 1;
  }
  const vault = new Vault(keyring);
  const store = await openStore(config.store);
  try {
    const raw = await store.getChannelState(channelId, CHANNEL_KEYS_STATE);
    const record = raw === undefined ? undefined : parseChannelKeyRecord(raw, channelId);
    const now = Date.now();
    const issued = issueChannelKey(record, { vault, channelId, now, rotate: options.rotate === true, graceMs });
    await store.setChannelState(channelId, CHANNEL_KEYS_STATE, JSON.stringify(issued.record));
    const graceNote = issued.previousExpireAt === undefined ? "first key" : `old key valid until ${new Date(issued.previousExpireAt).toISOString()}`;
    await store.appendAudit([{ at: now, kind: issued.previousExpireAt === undefined ? "key.issued" : "key.rotated", channel: channelId, actor: "admin:cli", reason: graceNote }]);
    console.log(issued.key);
    const old =
      issued.previousExpireAt === undefined ? "" : issued.previousExpireAt <= now ? " The old key no longer works." : ` The old key works until ${new Date(issued.previousExpireAt).toISOString()}.`;
    console.error(`New key for channel ${channelId} (shown only once; send it as Authorization: Bearer <key>).${old}`);
    return 0;
  } finally {
    await store.close();
  }
}
