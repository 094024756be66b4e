/**
 * `accept` as one script, the redis twin of sqlite/accept.ts: dedupe, resolve (or open) the
 * session, check the queue cap, append to the inbox, record the dedupe key and slide the session.
 * Nothing is written before the cap check, so a rejected message leaves no trace.
 *
 * ARGV[2] is a JSON object whose numbers are strings (see accept in redis-store.ts); returns
 * `{ "duplicate", messageId, sessionId }`, `{ "rejected", sessionId }` or
 * `{ "accepted", messageId, sessionId, "1" | "0" }` (the last says whether it is a new session).
 */
import { lua } from "../script.ts";

export const ACCEPT = lua("accept", `
local a = cjson.decode(ARGV[2])
local now = tonumber(a.now)
local eventPart = enc(a.channel) .. ":" .. enc(a.eventId)
local dkey = P .. "dedupe:" .. eventPart
local seen = redis.call("HMGET", dkey, "messageId", "sessionId", "expiresAt")
if seen[1] and tonumber(seen[3]) > now then return { "duplicate", seen[1], seen[2] } end

-- Plan the session without writing anything yet.
local sid, create, mapThread, replaces = nil, false, false, nil
if a.existingId then
  sid = a.existingId
  create = redis.call("EXISTS", skey(sid)) == 0
elseif not a.thread then
  sid, create = a.newId, true
else
  local mapped = redis.call("GET", tkey(a.thread.channel, a.thread.key))
  if mapped and redis.call("EXISTS", skey(mapped)) == 1 then
    local s = redis.call("HMGET", skey(mapped), "status", "expiresAt")
    if not a.fresh and s[1] == "active" and tonumber(s[2]) > now then sid = mapped else replaces = mapped end
  end
  if not sid then sid, create, mapThread = a.newId, true, true end
end

local maxPending = tonumber(a.maxPending)
if create then
  if maxPending <= 0 then return { "rejected", sid } end
elseif redis.call("ZCARD", skey(sid, ":pending")) >= maxPending then
  return { "rejected", sid }
end

local s = skey(sid)
if create then
  local rowid = string.format("%016d", redis.call("INCR", P .. "seq"))
  redis.call("HSET", s, "id", sid, "agent", a.agent, "channel", a.channel, "userId", a.userId, "status", "active",
    "createdAt", a.now, "lastActivityAt", a.now, "expiresAt", a.expiresAt, "rowid", rowid)
  if a.identity then redis.call("HSET", s, "identity", a.identity) end
  -- The replaced session stays readable but ends; repointing the map takes its thread key away.
  if replaces then
    redis.call("HSET", skey(replaces), "status", "ended")
    redis.call("HDEL", skey(replaces), "threadChannel", "threadKey")
  end
  if mapThread then
    redis.call("SET", tkey(a.thread.channel, a.thread.key), sid)
    redis.call("HSET", s, "threadChannel", a.thread.channel, "threadKey", a.thread.key)
  end
end

local seq = redis.call("INCR", P .. "seq")
local mid = a.messageId
local item = { "id", mid, "sessionId", sid, "seq", seq, "channel", a.channel, "eventId", a.eventId, "kind", a.kind,
  "text", a.text, "sender", a.sender, "replyTo", a.replyTo, "status", "pending", "attempts", 0, "acceptedAt", a.now }
if a.attachments then
  item[#item + 1] = "attachments"
  item[#item + 1] = a.attachments
end
redis.call("HSET", mkey(sid, mid), unpack(item))
redis.call("ZADD", skey(sid, ":pending"), seq, mid)
redis.call("SADD", skey(sid, ":msgs"), mid)
redis.call("HSET", P .. "msgs", mid, sid)
redis.call("ZADD", P .. "event:" .. eventPart, seq, mid)
redis.call("ZADD", P .. "pending", "NX", seq, sid)

-- An expired record for the same event may still be here: overwrite it.
redis.call("HSET", dkey, "messageId", mid, "sessionId", sid, "expiresAt", a.dedupeExpiresAt)
redis.call("PEXPIRE", dkey, a.dedupeTtlMs)
redis.call("ZADD", P .. "dedupes", a.dedupeExpiresAt, eventPart)

-- Every accepted message reactivates the session and slides its expiry (and its thread key's TTL).
redis.call("HSET", s, "status", "active", "lastActivityAt", a.now, "expiresAt", a.expiresAt)
local f = redis.call("HMGET", s, "rowid", "threadChannel", "threadKey")
redis.call("ZADD", P .. "sessions", a.now, sessionMember(f[1], sid))
redis.call("ZADD", P .. "expiry", a.expiresAt, sid)
if f[2] then redis.call("PEXPIRE", tkey(f[2], f[3]), a.threadTtlMs) end
return { "accepted", mid, sid, create and "1" or "0" }
`);
