/**
 * What `switchboard start` does for http channels that have no key: every API channel gets one.
 * A channel with neither `key:` nor `auth: none` gets a generated key on the first start, stored
 * encrypted, and shown in the banner that once. The master key it is encrypted under comes from
 * the config or the environment; on a single-machine store without one, a key file is generated
 * beside the admin token. Gateways sharing a Redis store must share a master key, so there a
 * missing one is an error, never a per-machine file.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { SwitchboardConfig } from "../config/schema.ts";
import { openStore } from "../store/open.ts";
import { DEFAULT_MASTER_KEY_FILE, ensureMasterKeyFile, keyringSource, MASTER_KEY_ENV, resolveKeyring, Vault } from "../core/secrets/index.ts";
import { ensureChannelKey, hasStoredChannelKey } from "../core/secrets/store-channel-key.ts";
import { ConfigError } from "../core/errors.ts";

export interface FirstStartKeys {
  /** Keys made on this start, to show once. */
  issued: Array<{ channel: string; key: string }>;
  /** The master key file written on this start, if any. */
  masterKeyFile?: string;
}

/** http channels that authenticate with keys but have none in the config. */
function keylessApiChannels(config: SwitchboardConfig): string[] {
  return Object.entries(config.channels).flatMap(([id, c]) => (c.type === "http" && c.enabled !== false && c.auth !== "none" && c.key === undefined ? [id] : []));
}

export async function prepareChannelKeys(config: SwitchboardConfig, baseDir: string): Promise<FirstStartKeys> {
  const channels = keylessApiChannels(config);
  if (channels.length === 0) return { issued: [] };
  const store = await openStore(config.store);
  try {
    const missing: string[] = [];
    for (const id of channels) if (!(await hasStoredChannelKey(store, id))) missing.push(id);
    if (missing.length === 0) return { issued: [] };
    const result: FirstStartKeys = { issued: [] };
    const source = keyringSource(config.secrets, baseDir);
    if (!resolveKeyring(source)) {
      if (store.shared) {
        throw new ConfigError([
          `channel ${missing.join(", ")}: an http channel needs a key, and gateways sharing a store need one master key to keep it: ` +
            `set ${MASTER_KEY_ENV} (the same on every instance; make one with: switchboard secrets new-key), or give the channel key:, or auth: none to leave it open`,
        ]);
      }
      const file = path.resolve(baseDir, DEFAULT_MASTER_KEY_FILE);
      if (ensureMasterKeyFile(file).created) result.masterKeyFile = file;
    }
    const vault = new Vault(resolveKeyring(source)!);
    const holder = `start:${randomUUID()}`;
    for (const channel of missing) {
      const key = await ensureChannelKey({ store, vault, channelId: channel, actor: "admin:start", holder });
      if (key !== undefined) result.issued.push({ channel, key });
    }
    return result;
  } finally {
    await store.close();
  }
}

/** Banner lines; keys appear only on the start that made them, and never through the logger. */
export function channelKeysBanner(keys: FirstStartKeys): string[] {
  const lines: string[] = [];
  if (keys.masterKeyFile) {
    lines.push(`  secrets   master key written to ${keys.masterKeyFile} (mode 0600): keep a copy elsewhere, stored secrets cannot be read without it`);
  }
  for (const { channel, key } of keys.issued) {
    lines.push(`  API key   channel ${channel}: generated now and shown only this once (send it as Authorization: Bearer <key>):`, `            ${key}`);
  }
  return lines;
}
