/**
 * Token buckets on Redis (rate limits, the loop guard), shared by every gateway on the store.
 * `bucket:<key>` is a hash (tokens, at, blockedUntil) with a TTL of the time until the bucket is
 * full and out of its cooldown: then it is as good as new, so Redis drops it and idle senders
 * leave nothing behind. The arithmetic mirrors core/abuse/token-bucket.ts, step for step.
 */
import { lua } from "../script.ts";

/**
 * ARGV: key, capacity, refill per second, cost, now, cooldown ms (0: none).
 * Returns { allowed (1/0), retry after ms, tripped (1/0) }.
 */
export const TAKE_TOKENS = lua("takeTokens", `
local bucket = P .. "bucket:" .. enc(ARGV[2])
local capacity, rate, cost, now, cooldown = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local f = redis.call("HMGET", bucket, "tokens", "at", "blockedUntil")
local tokens, at, blockedUntil = capacity, now, 0
if f[1] then tokens, at, blockedUntil = tonumber(f[1]), tonumber(f[2]), tonumber(f[3]) end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
at = math.max(now, at)
local allowed, retry, tripped = 0, 0, 0
if now < blockedUntil then
  retry = blockedUntil - now
elseif tokens >= cost then
  tokens = tokens - cost
  allowed = 1
elseif cooldown > 0 then
  blockedUntil = now + cooldown
  retry = cooldown
  tripped = 1
else
  retry = math.ceil((cost - tokens) * 1000 / rate)
end
local ttl = math.ceil(math.max((capacity - tokens) * 1000 / rate, blockedUntil - now, 0))
if ttl > 0 then
  redis.call("HSET", bucket, "tokens", tostring(tokens), "at", tostring(at), "blockedUntil", tostring(blockedUntil))
  redis.call("PEXPIRE", bucket, ttl)
else
  redis.call("DEL", bucket)
end
return { allowed, retry, tripped }
`);
