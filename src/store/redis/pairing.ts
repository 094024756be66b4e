/**
 * Pairing on Redis. Per channel: `pair:<channel>` (code → request JSON), `pairsender:<channel>`
 * (sender id → code), `approved:<channel>` (sender id → approval time); `pairchannels` lists the
 * channels with requests. Key names are built here and passed to the scripts.
 */
import type { PairingInput, PairingOutcome, PairingRequest } from "../store.ts";
import { keyPart } from "./keys.ts";
import { lua, runScript } from "./script.ts";
import type { RedisClient } from "./connect.ts";

/** ARGV: requests, bySender, channels, channel, senderId, code, now, maxPending, request JSON. */
const REQUEST = lua("requestPairing", `
local reqs, bys, channels = ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[8])
local all = redis.call("HGETALL", reqs)
for i = 1, #all, 2 do
  local r = cjson.decode(all[i + 1])
  if r.expiresAt <= now then
    redis.call("HDEL", reqs, all[i])
    if redis.call("HGET", bys, r.senderId) == all[i] then redis.call("HDEL", bys, r.senderId) end
  end
end
local existing = redis.call("HGET", bys, ARGV[6])
if existing then
  local r = redis.call("HGET", reqs, existing)
  if r then return { "pending", r } end
end
if redis.call("HLEN", reqs) >= tonumber(ARGV[9]) then return { "full" } end
if redis.call("HEXISTS", reqs, ARGV[7]) == 1 then return { "taken" } end
redis.call("HSET", reqs, ARGV[7], ARGV[10])
redis.call("HSET", bys, ARGV[6], ARGV[7])
redis.call("SADD", channels, ARGV[5])
return { "issued", ARGV[10] }
`);

/** ARGV: requests, bySender, approved, code, now. Returns the request JSON, or nil. */
const APPROVE = lua("approvePairing", `
local reqs, bys, approved, code = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local raw = redis.call("HGET", reqs, code)
if not raw then return nil end
local r = cjson.decode(raw)
redis.call("HDEL", reqs, code)
if redis.call("HGET", bys, r.senderId) == code then redis.call("HDEL", bys, r.senderId) end
if r.expiresAt <= tonumber(ARGV[6]) then return nil end
redis.call("HSET", approved, r.senderId, ARGV[6])
return raw
`);

export class RedisPairing {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async request(input: PairingInput): Promise<PairingOutcome> {
    const { channel } = input;
    const request: PairingRequest = {
      channel,
      code: input.code,
      senderId: input.senderId,
      senderName: input.senderName,
      createdAt: input.now,
      expiresAt: input.now + input.ttlMs,
    };
    const reply = (await runScript(this.#redis, REQUEST, this.#prefix, [
      this.#requests(channel),
      this.#bySender(channel),
      this.#channels,
      channel,
      input.senderId,
      input.code,
      input.now,
      input.maxPending,
      JSON.stringify(request),
    ])) as [string, string?];
    const [status, raw] = reply;
    if (status === "full" || status === "taken") return { status };
    return { status: status === "issued" ? "issued" : "pending", request: parse(raw!) };
  }

  async approve(channel: string, code: string, now: number): Promise<PairingRequest | undefined> {
    const raw = await runScript(this.#redis, APPROVE, this.#prefix, [this.#requests(channel), this.#bySender(channel), this.#approved(channel), code, now]);
    return typeof raw === "string" ? parse(raw) : undefined;
  }

  async list(channel: string | undefined, now: number): Promise<PairingRequest[]> {
    const channels = channel === undefined ? await this.#redis.smembers(this.#channels) : [channel];
    const found: PairingRequest[] = [];
    for (const name of channels) {
      for (const raw of Object.values(await this.#redis.hgetall(this.#requests(name)))) found.push(parse(raw));
    }
    return found.filter((r) => r.expiresAt > now).sort((a, b) => a.createdAt - b.createdAt || a.code.localeCompare(b.code));
  }

  async isApproved(channel: string, senderId: string): Promise<boolean> {
    return (await this.#redis.hexists(this.#approved(channel), senderId)) === 1;
  }

  async revoke(channel: string, senderId: string): Promise<boolean> {
    return (await this.#redis.hdel(this.#approved(channel), senderId)) > 0;
  }

  #requests(channel: string): string {
    return `${this.#prefix}pair:${keyPart(channel)}`;
  }

  #bySender(channel: string): string {
    return `${this.#prefix}pairsender:${keyPart(channel)}`;
  }

  #approved(channel: string): string {
    return `${this.#prefix}approved:${keyPart(channel)}`;
  }

  get #channels(): string {
    return `${this.#prefix}pairchannels`;
  }
}

function parse(raw: string): PairingRequest {
  const r = JSON.parse(raw) as PairingRequest & { senderName?: string | null };
  return { channel: r.channel, code: r.code, senderId: r.senderId, senderName: r.senderName ?? undefined, createdAt: r.createdAt, expiresAt: r.expiresAt };
}
