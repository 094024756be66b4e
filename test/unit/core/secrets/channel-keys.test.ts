import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CHANNEL_KEYS_STATE,
  decryptChannelKeys,
  issueChannelKey,
  newMasterKey,
  parseMasterKey,
  reencryptChannelKeys,
  StoredChannelKeys,
  Vault,
  type ChannelKeyRecord,
} from "../../../../src/core/secrets/index.ts";
import { silentLogger } from "../../../../src/core/log.ts";

const vault = new Vault({ current: parseMasterKey(newMasterKey(), "a"), previous: [] });
const HOUR = 3_600_000;

test("a generated key is long and random, and the record holds only its ciphertext", () => {
  const { key, record } = issueChannelKey(undefined, { vault, channelId: "api", now: 1000, rotate: false, graceMs: HOUR });
  assert.match(key, /^sbk_[\w-]{43}$/);
  assert.doesNotMatch(JSON.stringify(record), new RegExp(key.slice(4)));
  assert.deepEqual(decryptChannelKeys(record, vault, "api", 1000).map((k) => k.key), [key]);
});

test("issuing a second key needs --rotate; then both work for the grace period and only the new one after", () => {
  const first = issueChannelKey(undefined, { vault, channelId: "api", now: 0, rotate: false, graceMs: HOUR });
  assert.throws(() => issueChannelKey(first.record, { vault, channelId: "api", now: 10, rotate: false, graceMs: HOUR }), /already has a key; rotate it with --rotate/);
  const second = issueChannelKey(first.record, { vault, channelId: "api", now: 10, rotate: true, graceMs: HOUR });
  assert.equal(second.previousExpireAt, 10 + HOUR);
  const during = decryptChannelKeys(second.record, vault, "api", 20).map((k) => k.key);
  assert.deepEqual(new Set(during), new Set([first.key, second.key]));
  assert.deepEqual(decryptChannelKeys(second.record, vault, "api", 10 + HOUR).map((k) => k.key), [second.key]);
  const immediate = issueChannelKey(second.record, { vault, channelId: "api", now: 30, rotate: true, graceMs: 0 });
  assert.deepEqual(decryptChannelKeys(immediate.record, vault, "api", 30).map((k) => k.key), [immediate.key]);
});

test("re-encryption moves every active key to the new master key and drops expired ones; a second run changes nothing", () => {
  const first = issueChannelKey(undefined, { vault, channelId: "api", now: 0, rotate: false, graceMs: 0 });
  const second = issueChannelKey(first.record, { vault, channelId: "api", now: 5, rotate: true, graceMs: 100 });
  const rotated = vault.rotatedTo(parseMasterKey(newMasterKey(), "b"));
  const once = reencryptChannelKeys(second.record, rotated, "api", 50);
  assert.equal(once.changed, 2);
  assert.ok(once.record.keys.every((k) => rotated.isCurrent(k.secret)));
  assert.equal(reencryptChannelKeys(once.record, rotated, "api", 50).changed, 0);
  const onlyNew = new Vault({ current: rotated.keyring.current, previous: [] });
  assert.deepEqual(new Set(decryptChannelKeys(once.record, onlyNew, "api", 50).map((k) => k.key)), new Set([first.key, second.key]));
  assert.equal(reencryptChannelKeys(once.record, rotated, "api", 200).changed, 1);
});

function memoryState(initial?: ChannelKeyRecord) {
  const map = new Map<string, string>();
  if (initial) map.set(CHANNEL_KEYS_STATE, JSON.stringify(initial));
  let reads = 0;
  return {
    map,
    reads: () => reads,
    state: {
      async get(key: string) {
        reads++;
        return map.get(key);
      },
    },
  };
}

test("a channel sees a rotation made elsewhere once its short cache expires, reading the state at most once per TTL", async () => {
  let now = 0;
  const first = issueChannelKey(undefined, { vault, channelId: "api", now, rotate: false, graceMs: 0 });
  const mem = memoryState(first.record);
  const keys = new StoredChannelKeys({ channelId: "api", vault, ttlMs: 1000, now: () => now });
  await keys.attach(mem.state, silentLogger);
  assert.equal(keys.matches(first.key), true);
  assert.equal(keys.matches(first.key + "x"), false);
  const second = issueChannelKey(first.record, { vault, channelId: "api", now, rotate: true, graceMs: 0 });
  mem.map.set(CHANNEL_KEYS_STATE, JSON.stringify(second.record));
  for (let i = 0; i < 50; i++) await keys.refresh();
  assert.equal(mem.reads(), 1, "within the TTL the state is not read again");
  now += 1000;
  await keys.refresh();
  assert.equal(keys.matches(second.key), true);
  assert.equal(keys.matches(first.key), false);
});

test("stored keys under another master key, or with none, are 'unavailable': no key matches and the reason is logged once", async () => {
  const record = issueChannelKey(undefined, { vault, channelId: "api", now: 0, rotate: false, graceMs: 0 });
  const other = new Vault({ current: parseMasterKey(newMasterKey(), "x"), previous: [] });
  const logged: string[] = [];
  const log = { ...silentLogger, error: (msg: string, fields?: Record<string, unknown>) => logged.push(`${msg} ${JSON.stringify(fields)}`), child: () => log };
  let now = 0;
  const keys = new StoredChannelKeys({ channelId: "api", vault: other, ttlMs: 10, now: () => now });
  await keys.attach(memoryState(record.record).state, log);
  now += 20;
  await keys.refresh();
  assert.equal(keys.current().kind, "unavailable");
  assert.equal(keys.matches(record.key), false);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /cannot be read.*encrypted under master key/);
  assert.ok(!logged[0]!.includes(record.key));
});

test("a store that cannot be read counts as unavailable, not as 'no keys' (which would open the channel)", async () => {
  const keys = new StoredChannelKeys({ channelId: "api", vault });
  await keys.attach({ get: () => Promise.reject(new Error("disk I/O error")) }, silentLogger);
  assert.equal(keys.current().kind, "unavailable");
});
