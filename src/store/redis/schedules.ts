/**
 * Schedule runs and state on Redis. Per schedule (N = `sched:<name>`): `N` (state hash: paused,
 * cursor, failures, lastFailureAt), `N:run` (slot → run JSON), `N:runs` (slots by slot time),
 * `N:open` (runs not over yet, scored by the end of their claim; queued ones by 0); `schednames`
 * lists the schedules. A claim is one script, so of two gateways only one gets a slot. Key names
 * are built here and passed in, except in the prune script, which walks every schedule.
 */
import type {
  ScheduleClaim, ScheduleClaimOutcome, ScheduleRun, ScheduleRunQuery, ScheduleRunUpdate, ScheduleState,
} from "../schedules.ts";
import type { RedisClient } from "./connect.ts";
import { keyPart } from "./keys.ts";
import { lua, runScript } from "./script.ts";

const DEFAULT_LIMIT = 50;

/** Lua helpers shared by the scripts below: another run of the schedule under a live claim. */
const LIVE_OTHER = `
local function liveOther(open, slot, now)
  for _, s in ipairs(redis.call("ZRANGEBYSCORE", open, "(" .. now, "+inf")) do
    if s ~= slot then return true end
  end
  return false
end
`;

/** ARGV: state, runs, data, open, names, name, slot, slotAt, holder, now, until, advance, skipReason, missed. */
const CLAIM = lua("claimScheduleRun", `${LIVE_OTHER}
local state, runs, data, open, names = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local name, slot, slotAt, holder = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10]
local now, untilAt = tonumber(ARGV[11]), tonumber(ARGV[12])
redis.call("SADD", names, name)
if ARGV[13] == "1" then
  local cursor = tonumber(redis.call("HGET", state, "cursor"))
  if not cursor then
    redis.call("HSET", state, "paused", "0", "failures", "0", "cursor", ARGV[9])
  elseif slotAt > cursor then
    redis.call("HSET", state, "cursor", ARGV[9])
  end
end
local raw = redis.call("HGET", data, slot)
if raw then
  local r = cjson.decode(raw)
  local abandoned = (r.status == "started" or r.status == "finished") and r.claimedUntil <= now
  if r.status == "queued" and liveOther(open, slot, now) then
    r.status = "skipped"
    r.reason = "overlap"
    r.holder = holder
    raw = cjson.encode(r)
    redis.call("HSET", data, slot, raw)
    redis.call("ZREM", open, slot)
    return { "skipped", raw }
  end
  if r.status ~= "queued" and not abandoned then return { "taken" } end
  if r.status == "queued" then r.status = "started" end
  r.holder = holder
  r.claimedUntil = untilAt
  r.attempts = r.attempts + 1
  if not r.startedAt then r.startedAt = now end
  raw = cjson.encode(r)
  redis.call("HSET", data, slot, raw)
  redis.call("ZADD", open, untilAt, slot)
  return { "claimed", raw }
end
local r = { schedule = name, slot = slot, slotAt = slotAt, holder = holder }
local reason = ARGV[14]
if reason == "" and liveOther(open, slot, now) then reason = "overlap" end
if reason ~= "" then
  r.status = "skipped"
  r.reason = reason
  r.claimedUntil = 0
  r.attempts = 0
  if ARGV[15] ~= "" then r.missed = tonumber(ARGV[15]) end
else
  r.status = "started"
  r.claimedUntil = untilAt
  r.attempts = 1
  r.startedAt = now
  redis.call("ZADD", open, untilAt, slot)
end
raw = cjson.encode(r)
redis.call("HSET", data, slot, raw)
redis.call("ZADD", runs, slotAt, slot)
if r.status == "skipped" then return { "skipped", raw } end
return { "claimed", raw }
`);

/** ARGV: data, open, slot, holder, until. */
const RENEW = lua("renewScheduleRun", `
local data, open, slot = ARGV[2], ARGV[3], ARGV[4]
local raw = redis.call("HGET", data, slot)
if not raw then return 0 end
local r = cjson.decode(raw)
if r.holder ~= ARGV[5] or (r.status ~= "started" and r.status ~= "finished") then return 0 end
r.claimedUntil = tonumber(ARGV[6])
redis.call("HSET", data, slot, cjson.encode(r))
redis.call("ZADD", open, ARGV[6], slot)
return 1
`);

/** ARGV: state, data, open, slot, holder, status, now, sessionId, error, countsForBackoff. */
const UPDATE = lua("updateScheduleRun", `
local state, data, open, slot, status = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[7]
local now = tonumber(ARGV[8])
local raw = redis.call("HGET", data, slot)
if not raw then return 0 end
local r = cjson.decode(raw)
if r.holder ~= ARGV[6] or (r.status ~= "started" and r.status ~= "finished") then return 0 end
r.status = status
if ARGV[9] ~= "" then r.sessionId = ARGV[9] end
if ARGV[10] ~= "" then r.error = ARGV[10] else r.error = nil end
if not r.finishedAt then r.finishedAt = now end
if status == "delivered" then r.deliveredAt = now end
redis.call("HSET", data, slot, cjson.encode(r))
if status ~= "finished" then redis.call("ZREM", open, slot) end
if ARGV[11] == "1" and redis.call("EXISTS", state) == 1 then
  if status == "failed" then
    redis.call("HINCRBY", state, "failures", 1)
    redis.call("HSET", state, "lastFailureAt", ARGV[8])
  elseif status == "delivered" then
    redis.call("HSET", state, "failures", "0")
    redis.call("HDEL", state, "lastFailureAt")
  end
end
return 1
`);

/** ARGV: runs, data, open, names, name, slot, now. */
const QUEUE = lua("queueScheduleRun", `
local runs, data, open, names, name, slot = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if redis.call("HEXISTS", data, slot) == 1 then return 0 end
local r = { schedule = name, slot = slot, slotAt = tonumber(ARGV[8]), status = "queued", claimedUntil = 0, attempts = 0 }
redis.call("HSET", data, slot, cjson.encode(r))
redis.call("ZADD", runs, ARGV[8], slot)
redis.call("ZADD", open, 0, slot)
redis.call("SADD", names, name)
return 1
`);

/** ARGV: state, names, name, cursor, paused ("" to leave it), now. Returns the state hash. */
const STATE = lua("scheduleState", `
local state = ARGV[2]
local cursor = tonumber(redis.call("HGET", state, "cursor"))
if not cursor then
  redis.call("HSET", state, "paused", "0", "failures", "0", "cursor", ARGV[5])
  cursor = tonumber(ARGV[5])
end
if ARGV[6] == "1" then
  redis.call("HSET", state, "paused", "1")
elseif ARGV[6] == "0" then
  redis.call("HSET", state, "paused", "0")
  if tonumber(ARGV[7]) > cursor then redis.call("HSET", state, "cursor", ARGV[7]) end
end
redis.call("SADD", ARGV[3], ARGV[4])
return redis.call("HGETALL", state)
`);

/** ARGV: names, before. Keys are built as in schedule keys below (enc mirrors keyPart). */
const PRUNE = lua("pruneScheduleRuns", `
local total = 0
for _, name in ipairs(redis.call("SMEMBERS", ARGV[2])) do
  local base = P .. "sched:" .. enc(name)
  for _, slot in ipairs(redis.call("ZRANGEBYSCORE", base .. ":runs", "-inf", "(" .. ARGV[3])) do
    if not redis.call("ZSCORE", base .. ":open", slot) then
      redis.call("ZREM", base .. ":runs", slot)
      redis.call("HDEL", base .. ":run", slot)
      total = total + 1
    end
  end
end
return total
`);

export class RedisSchedules {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #run(script: typeof CLAIM, args: Array<string | number>): Promise<unknown> {
    return runScript(this.#redis, script, this.#prefix, args);
  }

  async claim(claim: ScheduleClaim): Promise<ScheduleClaimOutcome> {
    const k = this.#keys(claim.schedule);
    const reply = (await this.#run(CLAIM, [
      k.state, k.runs, k.data, k.open, this.#names, claim.schedule, claim.slot, claim.slotAt, claim.holder, claim.now,
      claim.now + claim.leaseMs, claim.advanceCursor ? "1" : "0", claim.skip?.reason ?? "", claim.skip?.missed ?? "",
    ])) as [string, string?];
    const [status, raw] = reply;
    if (status === "taken") return { status };
    return { status: status === "skipped" ? "skipped" : "claimed", run: parseRun(raw!) };
  }

  async renew(schedule: string, slot: string, holder: string, until: number): Promise<boolean> {
    const k = this.#keys(schedule);
    return (await this.#run(RENEW, [k.data, k.open, slot, holder, until])) === 1;
  }

  async update(update: ScheduleRunUpdate): Promise<boolean> {
    const k = this.#keys(update.schedule);
    const reply = await this.#run(UPDATE, [
      k.state, k.data, k.open, update.slot, update.holder, update.status, update.now, update.sessionId ?? "", update.error ?? "",
      update.countsForBackoff ? "1" : "0",
    ]);
    return reply === 1;
  }

  async queue(schedule: string, slot: string, now: number): Promise<boolean> {
    const k = this.#keys(schedule);
    return (await this.#run(QUEUE, [k.runs, k.data, k.open, this.#names, schedule, slot, now])) === 1;
  }

  async list(query: ScheduleRunQuery = {}): Promise<ScheduleRun[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (limit <= 0) return [];
    const names = query.schedule === undefined ? await this.#redis.smembers(this.#names) : [query.schedule];
    const found: ScheduleRun[] = [];
    for (const name of names) {
      const k = this.#keys(name);
      const slots = query.open ? await this.#redis.zrange(k.open, 0, -1) : await this.#redis.zrevrange(k.runs, 0, limit - 1);
      if (slots.length === 0) continue;
      for (const raw of await this.#redis.hmget(k.data, ...slots)) if (raw !== null) found.push(parseRun(raw));
    }
    return found.sort(newestFirst).slice(0, limit);
  }

  async prune(before: number): Promise<number> {
    return Number(await this.#run(PRUNE, [this.#names, before]));
  }

  async state(schedule: string): Promise<ScheduleState | undefined> {
    const hash = await this.#redis.hgetall(this.#keys(schedule).state);
    return hash["cursor"] === undefined ? undefined : toState(hash);
  }

  async initState(schedule: string, cursor: number): Promise<ScheduleState> {
    return this.#stateScript(schedule, cursor, "", cursor);
  }

  async setPaused(schedule: string, paused: boolean, now: number): Promise<ScheduleState> {
    return this.#stateScript(schedule, now, paused ? "1" : "0", now);
  }

  async #stateScript(schedule: string, cursor: number, paused: string, now: number): Promise<ScheduleState> {
    const pairs = (await this.#run(STATE, [this.#keys(schedule).state, this.#names, schedule, cursor, paused, now])) as string[];
    const hash: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2) hash[pairs[i]!] = pairs[i + 1]!;
    return toState(hash);
  }

  #keys(schedule: string) {
    const base = `${this.#prefix}sched:${keyPart(schedule)}`;
    return { state: base, data: `${base}:run`, runs: `${base}:runs`, open: `${base}:open` };
  }

  get #names(): string {
    return `${this.#prefix}schednames`;
  }
}

/** Newest slot first; ties by schedule, then slot, both descending (as sqlite orders them). */
function newestFirst(a: ScheduleRun, b: ScheduleRun): number {
  return b.slotAt - a.slotAt || descending(a.schedule, b.schedule) || descending(a.slot, b.slot);
}

function descending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function parseRun(raw: string): ScheduleRun {
  const r = JSON.parse(raw) as Partial<ScheduleRun> & Pick<ScheduleRun, "schedule" | "slot" | "slotAt" | "status">;
  return {
    schedule: r.schedule,
    slot: r.slot,
    slotAt: r.slotAt,
    status: r.status,
    holder: r.holder,
    claimedUntil: r.claimedUntil ?? 0,
    attempts: r.attempts ?? 0,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    deliveredAt: r.deliveredAt,
    sessionId: r.sessionId,
    reason: r.reason,
    missed: r.missed,
    error: r.error,
  };
}

function toState(hash: Record<string, string>): ScheduleState {
  return {
    paused: hash["paused"] === "1",
    cursor: Number(hash["cursor"]),
    failures: Number(hash["failures"] ?? 0),
    lastFailureAt: hash["lastFailureAt"] === undefined ? undefined : Number(hash["lastFailureAt"]),
  };
}
