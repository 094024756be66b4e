/**
 * A built-in accept middleware: at most `limit` messages per sender per window, in a sliding
 * window kept in memory. Over the limit a message is refused with 429 before anything is stored,
 * so the platform (or caller) knows to retry later. Idle senders are forgotten, so memory stays bounded.
 */
import type { AcceptContext } from "./accept.ts";
import type { Middleware } from "./middleware.ts";

export function rateLimit(options: { limit: number; windowMs: number }): { accept: Middleware<AcceptContext> } {
  const hits = new Map<string, number[]>();
  let lastSweep = Date.now();
  return {
    accept: async (ctx, next) => {
      const now = Date.now();
      if (now - lastSweep > options.windowMs) {
        for (const [key, times] of hits) if (times[times.length - 1]! <= now - options.windowMs) hits.delete(key);
        lastSweep = now;
      }
      const key = `${ctx.envelope.channel}:${ctx.envelope.sender.id}`;
      const recent = (hits.get(key) ?? []).filter((t) => t > now - options.windowMs);
      if (recent.length >= options.limit) {
        ctx.reject(`rate limit: at most ${options.limit} messages per ${Math.round(options.windowMs / 1000)} s`, 429);
        return;
      }
      recent.push(now);
      hits.set(key, recent);
      await next();
    },
  };
}
