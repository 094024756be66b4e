/**
 * The master key that encrypts secrets kept in the store: where it comes from (an env var or a
 * key file) and how it is parsed. A key file may hold several keys, one a line: the first
 * encrypts, the others only decrypt, so values written under an older key stay readable while
 * `switchboard secrets rotate` moves them to the new one.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SecretError } from "./errors.ts";

export const MASTER_KEY_ENV = "SWITCHBOARD_MASTER_KEY";
export const MASTER_KEY_FILE_ENV = "SWITCHBOARD_MASTER_KEY_FILE";
/** Older keys, comma-separated, that still decrypt (during a rotation) but never encrypt. */
export const PREVIOUS_MASTER_KEYS_ENV = "SWITCHBOARD_MASTER_KEY_PREVIOUS";

/** Where `switchboard start` writes a master key when none is set, relative to the config file's folder (beside the admin token). */
export const DEFAULT_MASTER_KEY_FILE = ".switchboard/master-key";

export const MISSING_MASTER_KEY = `no master key: set ${MASTER_KEY_ENV} or secrets.masterKeyFile (make one with: switchboard secrets new-key)`;

export interface MasterKey {
  /** A short fingerprint written into every envelope, so the right key is picked and a wrong one named. */
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: MasterKey;
  previous: MasterKey[];
}

/** Where the keyring comes from: config first (`secrets.masterKeyFile`), then the environment. */
export interface KeyringSource {
  masterKeyFile?: string | undefined;
  /** Relative key files start here: the config file's folder. */
  baseDir?: string;
  env?: NodeJS.ProcessEnv;
  /** A generated key file used when nothing else names one, if it exists (`.switchboard/master-key`). */
  defaultFile?: string | undefined;
}

/** 32 bytes as 64 hex digits, or as base64 / base64url. `where` names the source in errors; the value never appears. */
export function parseMasterKey(text: string, where: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed) ? Buffer.from(trimmed, "base64") : undefined;
  if (key?.length !== 32) throw new SecretError(`${where}: not a master key (32 random bytes as base64 or 64 hex digits; make one with: switchboard secrets new-key)`);
  return { id: masterKeyId(key), key };
}

export function masterKeyId(key: Buffer): string {
  return createHash("sha256").update("switchboard master key id\0").update(key).digest().subarray(0, 6).toString("base64url");
}

/** A fresh master key, base64. */
export function newMasterKey(): string {
  return randomBytes(32).toString("base64");
}

/** Every key of a key file, first line first; blank lines and `#` comments are skipped. */
export function readMasterKeyFile(file: string): MasterKey[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SecretError(`master key file ${file}: ${code === "ENOENT" ? "not found" : `cannot read (${code ?? "error"})`}`);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length === 0) throw new SecretError(`master key file ${file}: empty`);
  return lines.map((line, i) => parseMasterKey(line, `master key file ${file}, key ${i + 1}`));
}

/** The configured keyring, or undefined when no master key is set at all. */
export function resolveKeyring(source: KeyringSource = {}): Keyring | undefined {
  const env = source.env ?? process.env;
  const file = source.masterKeyFile ?? (env[MASTER_KEY_ENV] ? undefined : env[MASTER_KEY_FILE_ENV] || undefined);
  let keys: MasterKey[];
  if (file !== undefined) keys = readMasterKeyFile(path.resolve(source.baseDir ?? process.cwd(), file));
  else if (env[MASTER_KEY_ENV]) keys = [parseMasterKey(env[MASTER_KEY_ENV], MASTER_KEY_ENV)];
  else if (source.defaultFile !== undefined && existsSync(source.defaultFile)) keys = readMasterKeyFile(source.defaultFile);
  else return undefined;
  const previous = (env[PREVIOUS_MASTER_KEYS_ENV] ?? "").split(",").filter((k) => k.trim() !== "");
  keys.push(...previous.map((k, i) => parseMasterKey(k, `${PREVIOUS_MASTER_KEYS_ENV}, key ${i + 1}`)));
  return { current: keys[0]!, previous: keys.slice(1) };
}

/** Where the master key was looked for, for messages ("secrets.masterKeyFile ./master.key"). */
export function describeKeySource(source: KeyringSource = {}): string {
  const env = source.env ?? process.env;
  if (source.masterKeyFile !== undefined) return `secrets.masterKeyFile ${source.masterKeyFile}`;
  if (env[MASTER_KEY_ENV]) return MASTER_KEY_ENV;
  if (env[MASTER_KEY_FILE_ENV]) return `${MASTER_KEY_FILE_ENV} ${env[MASTER_KEY_FILE_ENV]}`;
  if (source.defaultFile !== undefined && existsSync(source.defaultFile)) return `the generated key file ${source.defaultFile}`;
  return "no master key";
}

/** The keyring source a config describes: `secrets.masterKeyFile` relative to the config's folder, else the environment. */
export function keyringSource(secrets: { masterKeyFile?: string | undefined } | undefined, baseDir: string, env: NodeJS.ProcessEnv = process.env): KeyringSource {
  return { masterKeyFile: secrets?.masterKeyFile, baseDir, env, defaultFile: path.resolve(baseDir, DEFAULT_MASTER_KEY_FILE) };
}

/**
 * Write a new master key to `file` (0600, in a 0700 folder) unless one is there: the CLI's first
 * start when a channel needs a key and no master key is set. `wx`, so two starts never each write one.
 */
export function ensureMasterKeyFile(file: string): { created: boolean } {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `# Switchboard master key, generated ${new Date().toISOString()}; keep a copy outside this machine\n${newMasterKey()}\n`, { mode: 0o600, flag: "wx" });
    return { created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { created: false };
  }
}
