/**
 * Outbox scripts. `P.."due"` holds every pending item scored by seq (arrival order); the
 * due/claim rules are those of the sqlite SQL (sqlite/statements.ts), applied while walking it.
 * A limit below zero means no limit, as in SQL.
 */
import { lua } from "../script.ts";

/** Walk the pending items in arrival order: calls fn(oid, sid, key); stops when it returns true. */
const WALK_PENDING = `
local function walkPending(fn)
  for _, oid in ipairs(redis.call("ZRANGE", P .. "due", 0, -1)) do
    local key, sid = outboxKey(oid)
    if key and fn(oid, sid, key) then return end
  end
end
`;

/** ARGV: now, limit. Returns the due items' HGETALL replies, in arrival order. */
export const DUE_OUTBOX = lua("dueOutbox", `${WALK_PENDING}
local now, limit, out = tonumber(ARGV[2]), tonumber(ARGV[3]), {}
walkPending(function(oid, sid, key)
  if limit >= 0 and #out >= limit then return true end
  if tonumber(redis.call("HGET", key, "nextAttemptAt")) <= now then out[#out + 1] = redis.call("HGETALL", key) end
end)
return out
`);

/**
 * ARGV: holder, now, until, limit. Claims items not held by another holder, of no session another
 * holder is delivering, and behind no earlier item of their session that waits for a retry.
 */
export const CLAIM_DUE_OUTBOX = lua("claimDueOutbox", `${WALK_PENDING}
local holder, now, claimUntil, limit = ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local items, foreign = {}, {}
walkPending(function(oid, sid, key)
  local f = redis.call("HMGET", key, "nextAttemptAt", "claimedBy", "claimedUntil")
  local it = { sid = sid, key = key, next = tonumber(f[1]), by = f[2], claimedUntil = tonumber(f[3] or "0") }
  items[#items + 1] = it
  if it.claimedUntil > now and it.by and it.by ~= holder then foreign[sid] = true end
end)
local waiting, out = {}, {}
for _, it in ipairs(items) do
  if limit >= 0 and #out >= limit then break end
  if it.next > now then
    waiting[it.sid] = true
  elseif not foreign[it.sid] and not waiting[it.sid] and (it.claimedUntil <= now or it.by == holder) then
    redis.call("HSET", it.key, "claimedBy", holder, "claimedUntil", claimUntil)
    out[#out + 1] = redis.call("HGETALL", it.key)
  end
end
return out
`);

/** The earliest time a session's first pending item may go: its retry time or its claim's end. */
export const NEXT_OUTBOX_DUE = lua("nextOutboxDue", `${WALK_PENDING}
local seen, best, bestText = {}, nil, false
walkPending(function(oid, sid, key)
  if seen[sid] then return end
  seen[sid] = true
  local f = redis.call("HMGET", key, "nextAttemptAt", "claimedUntil")
  local due, dueText = tonumber(f[1]), f[1]
  if tonumber(f[2] or "0") > due then due, dueText = tonumber(f[2]), f[2] end
  if not best or due < best then best, bestText = due, dueText end
end)
return bestText
`);

/** ARGV: holder, until, ids... */
export const RENEW_OUTBOX_CLAIMS = lua("renewOutboxClaims", `
for i = 4, #ARGV do
  local key = outboxKey(ARGV[i])
  if key then
    local f = redis.call("HMGET", key, "claimedBy", "status")
    if f[1] == ARGV[2] and f[2] == "pending" then redis.call("HSET", key, "claimedUntil", ARGV[3]) end
  end
end
return 0
`);

/** ARGV: holder. */
export const RELEASE_OUTBOX_CLAIMS = lua("releaseOutboxClaims", `${WALK_PENDING}
walkPending(function(oid, sid, key)
  if redis.call("HGET", key, "claimedBy") == ARGV[2] then redis.call("HSET", key, "claimedUntil", 0) end
end)
return 0
`);

/** ARGV: id, now, "1" and platformId (or "0", ""). Sent is final, whatever the item's status was. */
export const MARK_OUTBOX_SENT = lua("markOutboxSent", `
local key, sid = outboxKey(ARGV[2])
if not key then return 0 end
redis.call("HSET", key, "status", "sent", "sentAt", ARGV[3], "claimedUntil", 0)
redis.call("HINCRBY", key, "attempts", 1)
if ARGV[4] == "1" then redis.call("HSET", key, "platformId", ARGV[5]) else redis.call("HDEL", key, "platformId") end
redis.call("ZREM", P .. "due", ARGV[2])
redis.call("ZREM", skey(sid, ":outpending"), ARGV[2])
return 1
`);

/** ARGV: id, nextAttemptAt, error. Only a pending item moves: a late report never reopens one. */
export const MARK_OUTBOX_RETRY = lua("markOutboxRetry", `
local key = outboxKey(ARGV[2])
if not key or redis.call("HGET", key, "status") ~= "pending" then return 0 end
redis.call("HSET", key, "nextAttemptAt", ARGV[3], "lastError", ARGV[4], "claimedUntil", 0)
redis.call("HINCRBY", key, "attempts", 1)
return 1
`);

/** ARGV: id, error. */
export const MARK_OUTBOX_FAILED = lua("markOutboxFailed", `
local key, sid = outboxKey(ARGV[2])
if not key or redis.call("HGET", key, "status") ~= "pending" then return 0 end
redis.call("HSET", key, "status", "failed", "lastError", ARGV[3], "claimedUntil", 0)
redis.call("HINCRBY", key, "attempts", 1)
redis.call("ZREM", P .. "due", ARGV[2])
redis.call("ZREM", skey(sid, ":outpending"), ARGV[2])
return 1
`);
