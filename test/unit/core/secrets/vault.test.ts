import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newMasterKey, parseMasterKey, resolveKeyring, SecretError, Vault } from "../../../../src/core/secrets/index.ts";

const keyA = newMasterKey();
const keyB = newMasterKey();
const vaultOf = (...keys: string[]) => new Vault({ current: parseMasterKey(keys[0]!, "test"), previous: keys.slice(1).map((k) => parseMasterKey(k, "test")) });

test("a secret encrypted under a master key decrypts under the same key, and its envelope shows no clear text", () => {
  const vault = vaultOf(keyA);
  const envelope = vault.encrypt("xoxb-very-secret-token", "channel-key:api");
  assert.match(envelope, /^sb1:[\w-]{8}:[\w-]+:[\w-]+:[\w-]+$/);
  assert.doesNotMatch(envelope, /very-secret/);
  assert.equal(vault.decrypt(envelope, "channel-key:api", "the key"), "xoxb-very-secret-token");
});

test("the same secret encrypts differently every time (a fresh IV per value)", () => {
  const vault = vaultOf(keyA);
  assert.notEqual(vault.encrypt("same", "c"), vault.encrypt("same", "c"));
});

test("a wrong master key fails closed, names both key ids, and never prints the secret", () => {
  const envelope = vaultOf(keyA).encrypt("s3cret-value", "c");
  assert.throws(
    () => vaultOf(keyB).decrypt(envelope, "c", "the key of channel api"),
    (error: unknown) => error instanceof SecretError && /cannot decrypt the key of channel api: it was encrypted under master key [\w-]{8}, but the master key set is [\w-]{8}/.test(error.message) && !error.message.includes("s3cret"),
  );
});

test("a tampered value, a truncated tag or a value moved to another channel fails its integrity check", () => {
  const vault = vaultOf(keyA);
  const envelope = vault.encrypt("s3cret-value", "channel-key:api");
  const parts = envelope.split(":");
  const flipped = [...parts];
  flipped[4] = Buffer.from(Buffer.from(parts[4]!, "base64url").map((b, i) => (i === 0 ? b ^ 1 : b))).toString("base64url");
  const shortTag = [...parts];
  shortTag[3] = Buffer.from(parts[3]!, "base64url").subarray(0, 4).toString("base64url");
  for (const [bad, context] of [[flipped.join(":"), "channel-key:api"], [shortTag.join(":"), "channel-key:api"], [envelope, "channel-key:other"]] as const) {
    assert.throws(() => vault.decrypt(bad, context, "the key"), /fails its integrity check/);
  }
  assert.throws(() => vault.decrypt("plain text", "channel-key:api", "the key"), /not an encrypted value/);
});

test("during a rotation the vault writes with the new key and still reads values under the old one", () => {
  const old = vaultOf(keyA);
  const envelope = old.encrypt("kept", "c");
  const rotated = old.rotatedTo(parseMasterKey(keyB, "new"));
  assert.equal(rotated.decrypt(envelope, "c", "x"), "kept");
  assert.equal(rotated.isCurrent(envelope), false);
  const rewritten = rotated.encrypt("kept", "c");
  assert.equal(rotated.isCurrent(rewritten), true);
  assert.throws(() => old.decrypt(rewritten, "c", "x"), /encrypted under master key/);
});

test("master keys are 32 bytes as base64, base64url or hex; anything else is refused without echoing it", () => {
  const raw = Buffer.alloc(32, 7);
  const ids = [raw.toString("base64"), raw.toString("base64url"), raw.toString("hex")].map((text) => parseMasterKey(text, "K").id);
  assert.equal(new Set(ids).size, 1);
  for (const bad of ["hunter2hunter2", Buffer.alloc(16).toString("base64"), "z".repeat(64)]) {
    assert.throws(() => parseMasterKey(bad, "SWITCHBOARD_MASTER_KEY"), (e: unknown) => e instanceof SecretError && e.message.startsWith("SWITCHBOARD_MASTER_KEY: not a master key") && !e.message.includes(bad));
  }
});

test("the keyring comes from secrets.masterKeyFile first, then SWITCHBOARD_MASTER_KEY, with previous keys after the first", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-vault-"));
  try {
    writeFileSync(join(dir, "master.key"), `# current first\n${keyB}\n\n${keyA}\n`);
    const fromFile = resolveKeyring({ masterKeyFile: "master.key", baseDir: dir, env: { SWITCHBOARD_MASTER_KEY: keyA } })!;
    assert.equal(fromFile.current.id, parseMasterKey(keyB, "b").id);
    assert.deepEqual(fromFile.previous.map((k) => k.id), [parseMasterKey(keyA, "a").id]);
    const fromEnv = resolveKeyring({ env: { SWITCHBOARD_MASTER_KEY: keyA, SWITCHBOARD_MASTER_KEY_PREVIOUS: keyB } })!;
    assert.equal(fromEnv.current.id, parseMasterKey(keyA, "a").id);
    assert.equal(fromEnv.previous.length, 1);
    assert.equal(resolveKeyring({ env: {} }), undefined);
    assert.throws(() => resolveKeyring({ masterKeyFile: "missing.key", baseDir: dir, env: {} }), /master key file .*missing\.key: not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
