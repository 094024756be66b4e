/**
 * Scripts for a turn's life: counting an attempt, and completing the turn (items done, transcript,
 * outbox, agent state) all at once or not at all.
 */
import { lua } from "../script.ts";
import { LANE_HELD } from "./lanes.ts";

/** ARGV[2..]: message ids. */
export const BEGIN_ATTEMPT = lua("beginAttempt", `
for i = 2, #ARGV do
  local sid = redis.call("HGET", P .. "msgs", ARGV[i])
  if sid and redis.call("EXISTS", mkey(sid, ARGV[i])) == 1 then
    redis.call("HINCRBY", mkey(sid, ARGV[i]), "attempts", 1)
  end
end
return 0
`);

/**
 * ARGV[2]: JSON `{ sessionId, messageIds, status, reply, now, agentState?, transcript: string[],
 * outbox: { id, key, channel, to, text, editOf? }[], lane?: { holder, token } }`. Returns 1, or 0
 * (having written nothing) when any item is unknown or no longer pending, or the lane was taken
 * over. Outbox keys already taken are skipped.
 */
export const COMPLETE_TURN = lua("completeTurn", `${LANE_HELD}
local c = cjson.decode(ARGV[2])
if c.lane and not laneHeld(c.sessionId, c.lane.holder, c.lane.token) then return 0 end
local items = {}
for i, mid in ipairs(c.messageIds) do
  local sid = redis.call("HGET", P .. "msgs", mid)
  if not sid or redis.call("HGET", mkey(sid, mid), "status") ~= "pending" then return 0 end
  items[i] = { mid = mid, sid = sid }
end

local touched = {}
for _, it in ipairs(items) do
  redis.call("HSET", mkey(it.sid, it.mid), "status", c.status, "reply", c.reply)
  redis.call("ZREM", skey(it.sid, ":pending"), it.mid)
  touched[it.sid] = true
end
for sid in pairs(touched) do reindexPending(sid) end

local sid = c.sessionId
for _, entry in ipairs(c.transcript) do redis.call("RPUSH", skey(sid, ":transcript"), entry) end

for _, d in ipairs(c.outbox) do
  if redis.call("HSETNX", P .. "outkeys", d.key, d.id) == 1 then
    local seq = redis.call("INCR", P .. "seq")
    local fields = { "id", d.id, "key", d.key, "sessionId", sid, "channel", d.channel, "to", d.to, "text", d.text,
      "status", "pending", "attempts", 0, "nextAttemptAt", c.now, "createdAt", c.now, "seq", seq, "claimedUntil", 0 }
    if d.editOf then
      fields[#fields + 1] = "editOf"
      fields[#fields + 1] = d.editOf
    end
    redis.call("HSET", okey(sid, d.id), unpack(fields))
    redis.call("ZADD", skey(sid, ":outbox"), seq, d.id)
    redis.call("ZADD", skey(sid, ":outpending"), seq, d.id)
    redis.call("ZADD", P .. "due", seq, d.id)
    redis.call("HSET", P .. "outsessions", d.id, sid)
  end
end

local s = skey(sid)
if redis.call("EXISTS", s) == 1 then
  redis.call("HSET", s, "lastActivityAt", c.now)
  redis.call("ZADD", P .. "sessions", c.now, sessionMember(redis.call("HGET", s, "rowid"), sid))
  if c.agentState then redis.call("HSET", s, "agentState", c.agentState) end
end
return 1
`);
