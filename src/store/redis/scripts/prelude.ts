/**
 * The Lua every script starts with: the prefix (ARGV[1]) and the key builders of keys.ts, in
 * Lua. Scripts build their keys from ids they read, so the prefix must keep the whole store in
 * one slot on Redis Cluster (see redis-store.ts).
 */
export const PRELUDE = `
local P = ARGV[1]
local function enc(s)
  return (string.gsub(s, "[^%w%-_%.!~%*'%(%)]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local function skey(sid, suffix) return P .. "{s:" .. enc(sid) .. "}" .. (suffix or "") end
local function tkey(channel, key) return P .. "thread:" .. enc(channel) .. ":" .. enc(key) end
local function mkey(sid, mid) return skey(sid, ":m:" .. enc(mid)) end
local function okey(sid, oid) return skey(sid, ":o:" .. enc(oid)) end
local function sessionMember(rowid, sid) return rowid .. "|" .. sid end
-- The outbox item's key, if it still exists.
local function outboxKey(oid)
  local sid = redis.call("HGET", P .. "outsessions", oid)
  if not sid then return nil end
  local key = okey(sid, oid)
  if redis.call("EXISTS", key) == 0 then return nil end
  return key, sid
end
-- Take the thread key away from a session: the map entry only if it still points here.
local function unmap(sid)
  local f = redis.call("HMGET", skey(sid), "threadChannel", "threadKey")
  if not f[1] then return end
  local t = tkey(f[1], f[2])
  if redis.call("GET", t) == sid then redis.call("DEL", t) end
  redis.call("HDEL", skey(sid), "threadChannel", "threadKey")
end
-- Refresh a session's place in the pending-sessions index after its pending set changed.
local function reindexPending(sid)
  local first = redis.call("ZRANGE", skey(sid, ":pending"), 0, 0, "WITHSCORES")
  if first[1] then redis.call("ZADD", P .. "pending", first[2], sid) else redis.call("ZREM", P .. "pending", sid) end
end
`;
