/**
 * The Redis Store backend, for several gateways sharing one store. `ioredis` is loaded only
 * when this backend is opened, so deployments on sqlite never need it.
 */
import type { Redis } from "ioredis";
import type { Store } from "../store.ts";
import { RedisStore } from "./redis-store.ts";

export interface RedisStoreOptions {
  /** Prepended to every key; several stores can share one Redis under different prefixes. */
  prefix?: string;
}

export const DEFAULT_PREFIX = "switchboard:";

export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<Store> {
  const Redis = await loadIoredis();
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // Connection errors also reach the caller through the command that failed; without a listener
  // ioredis would print each reconnect attempt's error itself.
  let lastError: unknown;
  redis.on("error", (error: unknown) => {
    lastError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    // The rejection says only "Connection is closed"; the socket's own error says why.
    const reason = lastError ?? error;
    const detail = reason instanceof Error ? reason.message : String(reason);
    throw new Error(`store: cannot connect to redis at ${redact(url)} (${detail}); is it running, and is the URL right?`, { cause: error });
  }
  return new RedisStore(redis, options.prefix ?? DEFAULT_PREFIX);
}

async function loadIoredis(): Promise<typeof Redis> {
  try {
    return (await import("ioredis")).Redis;
  } catch (error) {
    throw new Error('store: the redis backend needs the "ioredis" package; install it with `npm install ioredis`', { cause: error });
  }
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

export { RedisStore } from "./redis-store.ts";
