/**
 * Scripts for session lanes across gateways. `S:lane` holds `<holder>|<token>` with a TTL on
 * Redis's clock; `S:fence` counts tokens and never expires, so a token handed out after an expiry
 * is always larger than every earlier one, even though the lane key itself is gone.
 */
import { lua } from "../script.ts";

/**
 * Lua shared with completeTurn: whether `holder` may still act under `token`. True while the lane
 * is held that way, and also once it has expired if nobody has taken it since (the fence counter
 * has not moved): then no other gateway can have run the session.
 */
export const LANE_HELD = `
local function laneHeld(sid, holder, token)
  local current = redis.call("GET", skey(sid, ":lane"))
  if current then return current == holder .. "|" .. token end
  return redis.call("GET", skey(sid, ":fence")) == tostring(token)
end
`;

/** ARGV: session id, holder, ttl ms. Returns the token, or -1 while another holder has the lane. */
export const ACQUIRE_LANE = lua("acquireLane", `
local sid, holder, ttl = ARGV[2], ARGV[3], ARGV[4]
local lane = skey(sid, ":lane")
local current = redis.call("GET", lane)
if current then
  local owner, token = string.match(current, "^(.*)|(%d+)$")
  if owner ~= holder then return -1 end
  redis.call("PEXPIRE", lane, ttl)
  return tonumber(token)
end
local token = redis.call("INCR", skey(sid, ":fence"))
redis.call("SET", lane, holder .. "|" .. token, "PX", ttl)
return token
`);

/** ARGV: session id, holder, token, ttl ms. Returns 1 if the lane is (again) held, 0 if it was lost. */
export const RENEW_LANE = lua("renewLane", `${LANE_HELD}
local sid, holder, token, ttl = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not laneHeld(sid, holder, token) then return 0 end
redis.call("SET", skey(sid, ":lane"), holder .. "|" .. token, "PX", ttl)
return 1
`);

/** ARGV: session id, holder, token. */
export const RELEASE_LANE = lua("releaseLane", `
local lane = skey(ARGV[2], ":lane")
if redis.call("GET", lane) == ARGV[3] .. "|" .. ARGV[4] then redis.call("DEL", lane) end
return 0
`);
