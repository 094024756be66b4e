/**
 * Channels created through the API or CLI, on Redis: the hash `storedchannels` (id → record JSON).
 * A write checks the version and bumps it in one script, so two admins editing one channel on
 * different gateways cannot overwrite each other unnoticed.
 */
import type { StoredChannel } from "../store.ts";
import type { RedisClient } from "./connect.ts";
import { lua, runScript } from "./script.ts";

/** ARGV: hash, id, config, now, expected version ("" for no check). Returns the new version, or nil. */
const PUT = lua("putStoredChannel", `
local hash, id = ARGV[2], ARGV[3]
local raw = redis.call("HGET", hash, id)
local version = 0
if raw then version = cjson.decode(raw).version end
if ARGV[6] ~= "" and tonumber(ARGV[6]) ~= version then return nil end
version = version + 1
redis.call("HSET", hash, id, cjson.encode({ id = id, config = ARGV[4], version = version, updatedAt = tonumber(ARGV[5]) }))
return version
`);

export class RedisStoredChannels {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #hash: string;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#hash = `${prefix}storedchannels`;
  }

  async put(id: string, config: string, now: number, expectedVersion: number | undefined): Promise<number | undefined> {
    const version = await runScript(this.#redis, PUT, this.#prefix, [this.#hash, id, config, now, expectedVersion ?? ""]);
    return version === null ? undefined : Number(version);
  }

  async get(id: string): Promise<StoredChannel | undefined> {
    const raw = await this.#redis.hget(this.#hash, id);
    return raw === null ? undefined : (JSON.parse(raw) as StoredChannel);
  }

  async list(): Promise<StoredChannel[]> {
    const all = await this.#redis.hvals(this.#hash);
    return all.map((raw) => JSON.parse(raw) as StoredChannel).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#redis.hdel(this.#hash, id)) > 0;
  }
}
