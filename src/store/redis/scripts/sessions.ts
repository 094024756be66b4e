/**
 * Scripts for a session's end of life (reset, eviction with all it owns), dedupe pruning,
 * exposures and leases.
 */
import { lua } from "../script.ts";

/** ARGV: id, now. Returns 1 if the session existed. */
export const RESET_SESSION = lua("resetSession", `
local sid, s = ARGV[2], skey(ARGV[2])
if redis.call("EXISTS", s) == 0 then return 0 end
redis.call("HSET", s, "status", "ended", "lastActivityAt", ARGV[3])
redis.call("ZADD", P .. "sessions", ARGV[3], sessionMember(redis.call("HGET", s, "rowid"), sid))
unmap(sid)
return 1
`);

/**
 * ARGV: now, limit. Deletes sessions expired by \`now\` with no pending inbox or outbox item, oldest
 * expiry first, with everything they own; dedupe records stay (a platform may redeliver later).
 */
export const EVICT_EXPIRED = lua("evictExpired", `
local function evict(sid)
  local s = skey(sid)
  unmap(sid)
  for _, mid in ipairs(redis.call("SMEMBERS", skey(sid, ":msgs"))) do
    local m = redis.call("HMGET", mkey(sid, mid), "channel", "eventId")
    if m[1] then redis.call("ZREM", P .. "event:" .. enc(m[1]) .. ":" .. enc(m[2]), mid) end
    redis.call("HDEL", P .. "msgs", mid)
    redis.call("DEL", mkey(sid, mid))
  end
  for _, oid in ipairs(redis.call("ZRANGE", skey(sid, ":outbox"), 0, -1)) do
    local k = redis.call("HGET", okey(sid, oid), "key")
    if k and redis.call("HGET", P .. "outkeys", k) == oid then redis.call("HDEL", P .. "outkeys", k) end
    redis.call("HDEL", P .. "outsessions", oid)
    redis.call("ZREM", P .. "due", oid)
    redis.call("DEL", okey(sid, oid))
  end
  for _, xid in ipairs(redis.call("SMEMBERS", skey(sid, ":exprefs"))) do
    local xkey = P .. "exposure:" .. enc(xid)
    local x = redis.call("HMGET", xkey, "parentSessionId", "sessionId")
    if x[1] then
      redis.call("LREM", skey(x[1], ":exposures"), 0, xid)
      redis.call("SREM", skey(x[1], ":exprefs"), xid)
      redis.call("SREM", skey(x[2], ":exprefs"), xid)
    end
    redis.call("DEL", xkey)
  end
  local rowid = redis.call("HGET", s, "rowid")
  if rowid then redis.call("ZREM", P .. "sessions", sessionMember(rowid, sid)) end
  redis.call("ZREM", P .. "expiry", sid)
  redis.call("ZREM", P .. "pending", sid)
  redis.call("DEL", s, skey(sid, ":pending"), skey(sid, ":msgs"), skey(sid, ":transcript"), skey(sid, ":outbox"),
    skey(sid, ":outpending"), skey(sid, ":exposures"), skey(sid, ":exprefs"), skey(sid, ":lane"), skey(sid, ":fence"))
end

local now, limit = ARGV[2], tonumber(ARGV[3])
local evicted, skipped = 0, 0
while limit < 0 or evicted < limit do
  local batch = redis.call("ZRANGEBYSCORE", P .. "expiry", "-inf", now, "LIMIT", skipped, 100)
  if #batch == 0 then break end
  for _, sid in ipairs(batch) do
    if limit >= 0 and evicted >= limit then break end
    if redis.call("ZCARD", skey(sid, ":pending")) == 0 and redis.call("ZCARD", skey(sid, ":outpending")) == 0 then
      evict(sid)
      evicted = evicted + 1
    else
      skipped = skipped + 1
    end
  end
end
return evicted
`);

/** ARGV: now, batch size. Deletes up to a batch of dedupe records expired by \`now\`; returns how many. */
export const PRUNE_DEDUPE = lua("pruneDedupe", `
local expired = redis.call("ZRANGEBYSCORE", P .. "dedupes", "-inf", ARGV[2], "LIMIT", 0, tonumber(ARGV[3]))
for _, part in ipairs(expired) do
  redis.call("DEL", P .. "dedupe:" .. part)
  redis.call("ZREM", P .. "dedupes", part)
end
return #expired
`);

/**
 * ARGV: id, parentSessionId, sessionId, then the record's hash fields. Saving an existing id
 * changes nothing; naming an unknown session is an error, as sqlite's foreign keys make it.
 */
export const SAVE_EXPOSURE = lua("saveExposure", `
local id, parent, child = ARGV[2], ARGV[3], ARGV[4]
local xkey = P .. "exposure:" .. enc(id)
if redis.call("EXISTS", xkey) == 1 then return 0 end
if redis.call("EXISTS", skey(parent)) == 0 or redis.call("EXISTS", skey(child)) == 0 then
  return redis.error_reply("store: exposure " .. id .. " names a session that does not exist")
end
redis.call("HSET", xkey, unpack(ARGV, 5))
redis.call("RPUSH", skey(parent, ":exposures"), id)
redis.call("SADD", skey(parent, ":exprefs"), id)
redis.call("SADD", skey(child, ":exprefs"), id)
return 1
`);

/** ARGV: name, holder, ttl ms. Taken if free (absent or expired by Redis) or already ours. */
export const ACQUIRE_LEASE = lua("acquireLease", `
local key = P .. "lease:" .. enc(ARGV[2])
local current = redis.call("GET", key)
if current and current ~= ARGV[3] then return 0 end
redis.call("SET", key, ARGV[3], "PX", ARGV[4])
return 1
`);

/** ARGV: name, holder. */
export const RELEASE_LEASE = lua("releaseLease", `
local key = P .. "lease:" .. enc(ARGV[2])
if redis.call("GET", key) == ARGV[3] then redis.call("DEL", key) end
return 0
`);
