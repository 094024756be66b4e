/**
 * A stored channel's config on its way into and out of the store. It is validated with the same
 * schema as a YAML channel, so the API and the CLI give the same errors as `switchboard check`.
 * Every secret-named field (tokens, secrets, passwords, keys, Authorization headers) is sealed
 * with the vault, bound to its channel and path, so the store holds no credential in clear and a
 * value copied to another channel or field does not decrypt. Reading back fails closed: a value
 * that cannot be decrypted stops the channel, it never runs without its credentials.
 */
import { RequestError } from "../../core/errors.ts";
import { channelSchema, type ChannelConfig } from "../../config/schema.ts";
import { formatIssues } from "../../config/issues.ts";
import { isSecretField } from "../../core/secrets/config-scan.ts";
import { SecretError } from "../../core/secrets/errors.ts";
import type { Vault } from "../../core/secrets/vault.ts";

/** What a secret looks like in API answers; sent back in an edit, it keeps the stored value. */
export const MASK = "••••";
/** A sealed value in the stored tree. */
const SEALED = "$sealed";

export const CHANNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Tree = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

export function validChannelId(id: string): void {
  if (!CHANNEL_ID.test(id)) throw new RequestError(400, `channel id "${id}": use 1-64 letters, digits, _ or - (it becomes part of URLs)`);
}

/**
 * Check a channel config given in the API or CLI, and seal its secrets for the store. `previous`
 * is the stored channel's config in clear, for an edit: a field sent as `••••` keeps its value.
 */
export function sealChannelConfig(id: string, input: unknown, vault: Vault, previous?: Tree): { config: ChannelConfig; sealed: string } {
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new RequestError(400, "the channel config must be a JSON object with a type");
  const plain = mapSecrets(input as Tree, [], (value, path) => {
    if (value !== MASK) return value;
    const kept = previous === undefined ? undefined : valueAt(previous, path);
    if (typeof kept !== "string") throw new RequestError(400, `channels.${id}.${path.join(".")}: "${MASK}" keeps the stored value, but there is none; send the value`);
    return kept;
  }) as Tree;
  const parsed = channelSchema.safeParse(plain);
  if (!parsed.success) {
    throw new RequestError(400, `invalid channel config: ${formatIssues(parsed.error.issues, ["channels", id]).join("; ")}`);
  }
  const sealed = mapSecrets(plain, [], (value, path) => ({ [SEALED]: vault.encrypt(value, context(id, path)) }));
  return { config: parsed.data, sealed: JSON.stringify({ v: 1, config: sealed }) };
}

/** The stored config in clear (the tree as it was given, before defaults), or a SecretError. */
export function openChannelTree(id: string, stored: string, vault: Vault | undefined): Tree {
  let record: { v?: unknown; config?: unknown };
  try {
    record = JSON.parse(stored) as typeof record;
  } catch {
    throw new SecretError(`the stored config of channel ${id} is damaged (not JSON)`);
  }
  if (record.v !== 1 || record.config === null || typeof record.config !== "object") throw new SecretError(`the stored config of channel ${id} is damaged`);
  return unseal(record.config, [], (envelope, path) => {
    if (!vault) throw new SecretError(`cannot read the credentials of channel ${id}: no master key (set SWITCHBOARD_MASTER_KEY or secrets.masterKeyFile)`);
    return vault.decrypt(envelope, context(id, path), `channels.${id}.${path.join(".")}`);
  }) as Tree;
}

/** The stored config, decrypted and validated: what the channel is built from. */
export function openChannelConfig(id: string, stored: string, vault: Vault | undefined): ChannelConfig {
  const parsed = channelSchema.safeParse(openChannelTree(id, stored, vault));
  if (!parsed.success) throw new SecretError(`the stored config of channel ${id} no longer validates: ${formatIssues(parsed.error.issues, ["channels", id]).join("; ")}`);
  return parsed.data;
}

/** The stored config with every value under an older master key re-encrypted under the vault's current one (`secrets rotate`). */
export function resealChannelConfig(id: string, stored: string, vault: Vault): { sealed: string; changed: number } {
  const record = JSON.parse(stored) as { v: 1; config: Tree };
  let changed = 0;
  const config = unseal(record.config, [], (envelope, path) => {
    if (vault.isCurrent(envelope)) return { [SEALED]: envelope };
    changed++;
    return { [SEALED]: vault.encrypt(vault.decrypt(envelope, context(id, path), `channels.${id}.${path.join(".")}`), context(id, path)) };
  });
  return { sealed: JSON.stringify({ v: 1, config }), changed };
}

/** The stored tree with every sealed value as `••••`: what the API shows, without decrypting. */
export function maskedStoredTree(stored: string): Tree {
  const record = JSON.parse(stored) as { config: Tree };
  return unseal(record.config, [], () => MASK) as Tree;
}

/** A config tree with every secret-named string as `••••` (YAML channels, whose secrets are in clear after `${ENV}`). */
export function maskSecrets(tree: object): Tree {
  return mapSecrets(tree as Tree, [], () => MASK) as Tree;
}

function context(id: string, path: Path): string {
  return `channel-config:${id}:${path.join(".")}`;
}

/** Copy `node`, passing every string under a secret-named key through `fn`. */
function mapSecrets(node: unknown, path: Path, fn: (value: string, path: Path) => unknown, secret = false): unknown {
  if (typeof node === "string") return secret && node !== "" ? fn(node, path) : node;
  if (Array.isArray(node)) return node.map((item, i) => mapSecrets(item, [...path, i], fn, secret));
  if (node !== null && typeof node === "object") {
    // Everything under a secret-named object (e.g. Authorization inside callbackHeaders) is secret too.
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, mapSecrets(value, [...path, key], fn, secret || isSecretField(key))]));
  }
  return node;
}

function unseal(node: unknown, path: Path, fn: (envelope: string, path: Path) => unknown): unknown {
  if (Array.isArray(node)) return node.map((item, i) => unseal(item, [...path, i], fn));
  if (node !== null && typeof node === "object") {
    const sealed = (node as Tree)[SEALED];
    if (typeof sealed === "string" && Object.keys(node).length === 1) return fn(sealed, path);
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, unseal(value, [...path, key], fn)]));
  }
  return node;
}

function valueAt(tree: Tree, path: Path): unknown {
  let node: unknown = tree;
  for (const part of path) node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[part] : undefined;
  return node;
}
