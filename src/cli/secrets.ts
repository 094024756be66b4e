/**
 * `switchboard secrets rotate --new-key-file F` re-encrypts every secret kept in the store
 * under a new master key; `switchboard secrets new-key` prints a fresh one. Rotation writes one
 * channel's record at a time, each in one store write, and skips values already under the new
 * key: a run cut short loses nothing and is simply run again. Meanwhile a gateway that knows
 * both keys (the new one first in the key file, or SWITCHBOARD_MASTER_KEY_PREVIOUS) reads both.
 */
import { readFileSync } from "node:fs";
import { resealChannelConfig } from "../channels/stored/codec.ts";
import path from "node:path";
import { openStore } from "../store/open.ts";
import { resolveConfig } from "./config.ts";
import {
  CHANNEL_KEYS_STATE,
  keyringSource,
  MASTER_KEY_ENV,
  MISSING_MASTER_KEY,
  newMasterKey,
  parseChannelKeyRecord,
  parseMasterKey,
  reencryptChannelKeys,
  resolveKeyring,
  SecretError,
  Vault,
} from "../core/secrets/index.ts";

/** The env var `secrets rotate` reads the new key from when no --new-key-file is given. */
export const NEW_MASTER_KEY_ENV = "SWITCHBOARD_NEW_MASTER_KEY";

export async function secrets(args: string[], options: { config?: string; "new-key-file"?: string }): Promise<number> {
  const [action] = args;
  if (action === "new-key") {
    console.log(newMasterKey());
    return 0;
  }
  if (action !== "rotate") {
    console.error("usage: switchboard secrets rotate --new-key-file F   |   switchboard secrets new-key");
    return 2;
  }
  const { config, baseDir } = await resolveConfig(options.config);
  const keyring = resolveKeyring(keyringSource(config.secrets, baseDir));
  if (!keyring) {
    console.error(`cannot rotate: ${MISSING_MASTER_KEY} (the current key is needed to read what is stored)`);
    return 1;
  }
  const newKey = readNewKey(options["new-key-file"]);
  if (!newKey) {
    console.error(`give the new master key: --new-key-file F, or ${NEW_MASTER_KEY_ENV}`);
    return 2;
  }
  const vault = new Vault(keyring).rotatedTo(newKey);
  const store = await openStore(config.store);
  let rewritten = 0;
  const failures: string[] = [];
  try {
    const stored = await store.listStoredChannels();
    for (const channel of stored) {
      try {
        const { sealed, changed } = resealChannelConfig(channel.id, channel.config, vault);
        if (changed === 0) continue;
        // An edit made meanwhile wins; the run is simply repeated for what it wrote.
        if ((await store.putStoredChannel(channel.id, sealed, Date.now(), channel.version)) === undefined) {
          failures.push(`channel ${channel.id} was edited during the rotation`);
          continue;
        }
        await store.appendAudit([{ at: Date.now(), kind: "secrets.rotated", channel: channel.id, actor: "admin:cli", reason: `${changed} credential(s) now under master key ${newKey.id}` }]);
        rewritten += changed;
      } catch (error) {
        if (!(error instanceof SecretError)) throw error;
        failures.push(error.message);
      }
    }
    // Channels dropped from the config are not visited: the store has no index of their keys.
    for (const channelId of new Set([...Object.keys(config.channels), ...stored.map((c) => c.id)])) {
      const raw = await store.getChannelState(channelId, CHANNEL_KEYS_STATE);
      if (raw === undefined) continue;
      try {
        const { record, changed } = reencryptChannelKeys(parseChannelKeyRecord(raw, channelId), vault, channelId, Date.now());
        if (changed === 0) continue;
        await store.setChannelState(channelId, CHANNEL_KEYS_STATE, JSON.stringify(record));
        await store.appendAudit([{ at: Date.now(), kind: "secrets.rotated", channel: channelId, actor: "admin:cli", reason: `${changed} value(s) now under master key ${newKey.id}` }]);
        rewritten += changed;
      } catch (error) {
        if (!(error instanceof SecretError)) throw error;
        failures.push(error.message);
      }
    }
  } finally {
    await store.close();
  }
  for (const failure of failures) console.error(`error: ${failure}`);
  if (failures.length > 0) {
    console.error(`${failures.length} channel(s) not rotated; the others are under master key ${newKey.id}. Fix the key and run the command again.`);
    return 1;
  }
  console.log(`${rewritten} stored secret(s) now under master key ${newKey.id}.`);
  console.log(`Next: make the new key the master key (first line of the key file, or ${MASTER_KEY_ENV}) and restart the gateways.`);
  return 0;
}

function readNewKey(file: string | undefined) {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(path.resolve(file), "utf8");
    } catch (error) {
      throw new SecretError(`--new-key-file ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    const first = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#"));
    return parseMasterKey(first ?? "", `--new-key-file ${file}`);
  }
  const fromEnv = process.env[NEW_MASTER_KEY_ENV];
  return fromEnv ? parseMasterKey(fromEnv, NEW_MASTER_KEY_ENV) : undefined;
}
