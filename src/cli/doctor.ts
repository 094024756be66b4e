/**
 * `switchboard doctor [-c file]`: looks for security mistakes a valid config can still hold:
 * secrets written into the YAML in plain text, key files others can read, stored secrets
 * without (or with the wrong) master key, and an open API on a public address. It prints
 * `••••` where a value would go and exits 1 when it has warnings, so a CI step can fail on them.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { findConfigFile, loadConfigFile } from "../config/load.ts";
import type { SwitchboardConfig } from "../config/schema.ts";
import { openStore } from "../store/open.ts";
import { openChannelConfig } from "../channels/stored/codec.ts";
import { formatConfigPath, plaintextSecrets, secretFiles } from "../core/secrets/config-scan.ts";
import {
  CHANNEL_KEYS_STATE,
  decryptChannelKeys,
  describeKeySource,
  keyringSource,
  MASTER_KEY_ENV,
  MASTER_KEY_FILE_ENV,
  MISSING_MASTER_KEY,
  parseChannelKeyRecord,
  resolveKeyring,
  Vault,
  type Keyring,
} from "../core/secrets/index.ts";

const MASK = "••••";

export async function doctor(options: { config?: string }): Promise<number> {
  const file = options.config ?? findConfigFile(process.cwd());
  if (file === undefined) {
    console.log("no config file (-c file, or ./switchboard.yaml): nothing to check");
    return 0;
  }
  const warnings: string[] = [];
  const baseDir = path.dirname(path.resolve(file));
  let tree: unknown;
  try {
    tree = parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.log(`warning: ${file}: cannot read or parse (${(error as Error).message.split("\n")[0]})`);
    return 1;
  }
  for (const at of plaintextSecrets(tree)) {
    warnings.push(`${formatConfigPath(at)}: a secret written into the config in plain text (${MASK}); use "\${ENV_VAR}" or a file instead`);
  }
  const files = secretFiles(tree).map(({ path: at, file: f }) => ({ where: formatConfigPath(at), file: path.resolve(baseDir, f) }));
  if (process.env[MASTER_KEY_FILE_ENV]) files.push({ where: MASTER_KEY_FILE_ENV, file: path.resolve(process.env[MASTER_KEY_FILE_ENV]) });
  for (const { where, file: f } of files) warnings.push(...filePermissionWarnings(where, f));

  let config: SwitchboardConfig | undefined;
  try {
    config = (await loadConfigFile(file)).config;
  } catch (error) {
    warnings.push(`the config does not load, so the store was not checked: ${(error as Error).message}`);
  }
  if (config) {
    warnings.push(...openApiWarnings(config));
    warnings.push(...generatedMasterKeyWarnings(config, baseDir));
    warnings.push(...(await storedSecretWarnings(config, baseDir)));
  }
  for (const warning of warnings) console.log(`warning: ${warning}`);
  console.log(warnings.length === 0 ? `${file}: no problems found` : `${file}: ${warnings.length} warning(s)`);
  return warnings.length === 0 ? 0 : 1;
}

function filePermissionWarnings(where: string, file: string): string[] {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return [`${where}: ${file} does not exist`];
  // Windows has no Unix modes to speak of.
  if (process.platform === "win32" || (stat.mode & 0o077) === 0) return [];
  const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
  return [`${where}: ${file} can be read by other users (mode ${mode}); run: chmod 600 ${file}`];
}

function openApiWarnings(config: SwitchboardConfig): string[] {
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(config.server.host);
  if (loopback) return [];
  return Object.entries(config.channels)
    .filter(([, c]) => c.type === "http" && c.auth === "none" && c.enabled !== false)
    .map(([id]) => `channels.${id}: auth: none on ${config.server.host} lets anyone who can reach the port talk to the agents; drop it and switchboard start makes a key`);
}

/** The master key generated beside the store protects against a leaked backup of the database alone, not of the folder. */
function generatedMasterKeyWarnings(config: SwitchboardConfig, baseDir: string): string[] {
  const source = keyringSource(config.secrets, baseDir);
  if (source.masterKeyFile !== undefined || source.env?.[MASTER_KEY_ENV] || source.env?.[MASTER_KEY_FILE_ENV] || !existsSync(source.defaultFile!)) return [];
  return [`secrets: the master key is the file switchboard start generated (${source.defaultFile}), beside the data; whoever copies that folder can read the stored secrets. Move the key to ${MASTER_KEY_ENV} or secrets.masterKeyFile on other storage`];
}

async function storedSecretWarnings(config: SwitchboardConfig, baseDir: string): Promise<string[]> {
  // Don't create a database just to look into it.
  if (config.store.startsWith("sqlite:") && !existsSync(config.store.slice("sqlite:".length))) return [];
  let keyring: Keyring | undefined;
  let keyProblem: string | undefined;
  const source = keyringSource(config.secrets, baseDir);
  try {
    keyring = resolveKeyring(source);
  } catch (error) {
    keyProblem = (error as Error).message;
  }
  const warnings: string[] = [];
  let store;
  try {
    store = await openStore(config.store);
  } catch (error) {
    return [`the store could not be opened, so stored secrets were not checked: ${(error as Error).message}`];
  }
  try {
    const stored = await store.listStoredChannels();
    for (const channel of stored) {
      if (channel.id in config.channels) continue;
      try {
        openChannelConfig(channel.id, channel.config, keyring ? new Vault(keyring) : undefined);
      } catch (error) {
        warnings.push(`stored channel ${channel.id}: ${(error as Error).message}; it does not run until this is fixed`);
      }
    }
    for (const channelId of new Set([...Object.keys(config.channels), ...stored.map((c) => c.id)])) {
      const raw = await store.getChannelState(channelId, CHANNEL_KEYS_STATE);
      if (raw === undefined) continue;
      const at = `channels.${channelId}`;
      try {
        const record = parseChannelKeyRecord(raw, channelId);
        if (record.keys.length === 0) continue;
        if (!keyring) {
          warnings.push(`${at}: has generated keys in the store but ${keyProblem ?? MISSING_MASTER_KEY}; the channel refuses every key until then`);
          continue;
        }
        const vault = new Vault(keyring);
        decryptChannelKeys(record, vault, channelId, Date.now());
        if (record.keys.some((k) => !vault.isCurrent(k.secret))) {
          warnings.push(`${at}: stored keys are still under an older master key (${describeKeySource(source)} still lists it); re-encrypt them: switchboard secrets rotate --new-key-file <a file with the current key>`);
        }
      } catch (error) {
        warnings.push(`${at}: ${(error as Error).message}`);
      }
    }
  } finally {
    await store.close();
  }
  return warnings;
}
