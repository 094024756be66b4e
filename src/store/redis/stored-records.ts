/**
 * Definitions created through the API, the CLI or an agent, on Redis: one hash per kind
 * (`storedchannels`, `storedschedules`; id → record JSON). A write checks the version and bumps it
 * in one script, so two admins editing one definition on different gateways cannot overwrite each
 * other unnoticed.
 */
import type { StoredRecord } from "../store.ts";
import type { RedisClient } from "./connect.ts";
import { lua, runScript } from "./script.ts";

/** ARGV: hash, id, config, now, expected version ("" for no check). Returns the new version, or nil. */
const PUT = lua("putStoredRecord", `
local hash, id = ARGV[2], ARGV[3]
local raw = redis.call("HGET", hash, id)
local version = 0
if raw then version = cjson.decode(raw).version end
if ARGV[6] ~= "" and tonumber(ARGV[6]) ~= version then return nil end
version = version + 1
redis.call("HSET", hash, id, cjson.encode({ id = id, config = ARGV[4], version = version, updatedAt = tonumber(ARGV[5]) }))
return version
`);

export class RedisStoredRecords {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #hash: string;

  constructor(redis: RedisClient, prefix: string, kind: "channels" | "schedules") {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#hash = `${prefix}stored${kind}`;
  }

  async put(id: string, config: string, now: number, expectedVersion: number | undefined): Promise<number | undefined> {
    const version = await runScript(this.#redis, PUT, this.#prefix, [this.#hash, id, config, now, expectedVersion ?? ""]);
    return version === null ? undefined : Number(version);
  }

  async get(id: string): Promise<StoredRecord | undefined> {
    const raw = await this.#redis.hget(this.#hash, id);
    return raw === null ? undefined : (JSON.parse(raw) as StoredRecord);
  }

  async list(): Promise<StoredRecord[]> {
    const all = await this.#redis.hvals(this.#hash);
    return all.map((raw) => JSON.parse(raw) as StoredRecord).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#redis.hdel(this.#hash, id)) > 0;
  }
}
