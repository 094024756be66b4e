/**
 * Redis key prefixes for tests that run gateways on the shared Redis at 127.0.0.1:6379: each run
 * gets a prefix of its own, and everything under it is deleted afterwards, so runs never see
 * each other's data and leave nothing behind.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const TEST_REDIS = "redis://127.0.0.1:6379/0";

export function uniquePrefix(label: string): string {
  return `sbtest:${label}:${randomUUID()}:`;
}

/** The store URL a gateway's config names for this prefix (prefixes made here are URL-safe as they are). */
export function redisStoreUrl(prefix: string, redisUrl = TEST_REDIS): string {
  return `${redisUrl}?prefix=${prefix}`;
}

/** SCAN + UNLINK every key under the prefix; returns how many were deleted. */
export async function deleteKeysUnder(prefix: string, redisUrl = TEST_REDIS): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      // SCAN's pattern is a glob: a prefix with glob characters must not match other runs' keys.
      const [next, keys] = await redis.scan(cursor, "MATCH", `${globEscape(prefix)}*`, "COUNT", 1000);
      if (keys.length > 0) deleted += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
