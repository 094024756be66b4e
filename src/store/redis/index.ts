/**
 * The Redis Store backend, for several gateways sharing one store: a standalone Redis, a
 * Sentinel-managed master or a Redis Cluster (url.ts reads which). `ioredis` is loaded only when
 * this backend is opened, so deployments on sqlite never need it.
 */
import { ConfigError } from "../../core/errors.ts";
import type { Store } from "../store.ts";
import { connectRedis } from "./connect.ts";
import { RedisStore } from "./redis-store.ts";
import { parseRedisUrl, redactRedisUrl } from "./url.ts";

export interface RedisStoreOptions {
  /** Prepended to every key; several stores can share one Redis under different prefixes. Wins over the URL's `?prefix=`. */
  prefix?: string;
}

export const DEFAULT_PREFIX = "switchboard:";

/** Opens a store from any redis URL form (`redis://`, `rediss://`, `redis+sentinel://`, `redis+cluster://`). */
export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<Store> {
  const { target, prefix: urlPrefix } = parseRedisUrl(url);
  const prefix = options.prefix ?? urlPrefix ?? DEFAULT_PREFIX;
  const keyPrefix = target.topology === "cluster" ? clusterPrefix(prefix) : prefix;
  const client = await connectRedis(target, redactRedisUrl(url));
  return new RedisStore(client, keyPrefix);
}

/**
 * On Cluster the store's Lua scripts touch keys of many sessions and the store-wide indexes in
 * one call, so every key must hash to one slot: the prefix is made a hash tag (`switchboard:`
 * becomes `{switchboard}:`). Redis hashes only the first `{…}` of a key, so the per-session
 * `{s:<id>}` tags after it no longer matter. A prefix that already holds a tag is kept.
 */
export function clusterPrefix(prefix: string): string {
  const open = prefix.indexOf("{");
  if (open >= 0) {
    const close = prefix.indexOf("}", open + 1);
    if (close > open + 1) return prefix;
    throw new ConfigError([
      `store: the redis key prefix "${prefix}" has a "{" without a complete, non-empty {tag}; on Redis Cluster write it as {name}: or leave the braces out`,
    ]);
  }
  const [, name = prefix, separator = ""] = /^(.*?)(:*)$/.exec(prefix) ?? [];
  return name === "" ? `{${prefix}}` : `{${name}}${separator}`;
}

export { RedisStore } from "./redis-store.ts";
