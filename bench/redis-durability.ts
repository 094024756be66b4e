/**
 * How durable the benchmark's Redis is, printed with the figures: SQLite syncs every commit to
 * disk, while a Redis without AOF keeps everything in memory only, so its figures are not a
 * like-for-like comparison unless AOF is on.
 */
import { Redis } from "ioredis";

export async function redisDurability(redisUrl: string): Promise<string> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const [, appendonly] = (await redis.config("GET", "appendonly")) as string[];
    const [, appendfsync] = (await redis.config("GET", "appendfsync")) as string[];
    const [, save] = (await redis.config("GET", "save")) as string[];
    return appendonly === "yes" ? `AOF on, appendfsync ${appendfsync}` : `AOF off, snapshots ${save ? `"${save}"` : "off"}: Redis keeps nothing on disk per message`;
  } catch (error) {
    return `unknown (CONFIG GET failed: ${(error as Error).message})`;
  } finally {
    redis.disconnect();
  }
}
