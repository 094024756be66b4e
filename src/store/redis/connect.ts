/**
 * Builds and connects the ioredis client for a RedisTarget: one `Redis` for a standalone server
 * or a Sentinel-managed master, a `Cluster` for Redis Cluster. A connection that cannot be made
 * at start fails with the reason; once connected, the client reconnects by itself for good.
 */
import type { Cluster, Redis } from "ioredis";
import type { RedisTarget } from "./url.ts";

export type RedisClient = Redis | Cluster;

interface Ioredis {
  Redis: typeof Redis;
  Cluster: typeof Cluster;
}

/**
 * How many rounds over the sentinels a connection attempt makes before it fails (and the
 * client's own reconnect loop, which never gives up, schedules the next attempt). ioredis's
 * default retries the rounds forever, so a wrong sentinel address would hang the start.
 */
const SENTINEL_ROUNDS = 3;

/** A command waits through this many reconnects before it fails (and its caller retries or answers 5xx). */
const MAX_RETRIES_PER_REQUEST = 3;

/** `where` names the server in errors; it is the store URL with its passwords redacted. */
export async function connectRedis(target: RedisTarget, where: string): Promise<RedisClient> {
  const ioredis = await loadIoredis();
  const client = createClient(ioredis, target);
  // Connection errors also reach the caller through the command that failed; without a listener
  // ioredis would print each reconnect attempt's error itself.
  let lastError: unknown;
  let lastNodeError: unknown;
  client.on("error", (error: unknown) => {
    lastError = error;
  });
  // A Cluster client reports each node's socket error here, and only a summary as "error".
  client.on("node error", (error: unknown) => {
    lastNodeError = error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    // The rejection often says only "Connection is closed"; the socket's own error says why.
    const reason = lastError ?? error;
    const detail = [reason, lastNodeError].filter((e) => e !== undefined).map(describeError).join("; ");
    throw new Error(`store: cannot connect to redis at ${where} (${detail}); is it running, and is the URL right?`, { cause: error });
  }
  return client;
}

function createClient({ Redis, Cluster }: Ioredis, target: RedisTarget): RedisClient {
  const common = { lazyConnect: true, maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST } as const;
  switch (target.topology) {
    case "standalone":
      return new Redis(target.url, common);
    case "sentinel":
      return new Redis({
        ...common,
        sentinels: target.sentinels,
        name: target.masterName,
        db: target.db,
        ...credentials(target),
        ...(target.sentinelPassword !== undefined ? { sentinelPassword: target.sentinelPassword } : {}),
        sentinelRetryStrategy: (rounds: number) => (rounds > SENTINEL_ROUNDS ? null : Math.min(rounds * 100, 1_000)),
        // A demoted master closes its clients, so the reconnect asks the Sentinels for the new
        // one. Should a connection outlive the demotion anyway, the first write it refuses as
        // READONLY forces that reconnect; the refused command fails, and its caller retries.
        // (ioredis's `failoverDetector` would also catch a frozen master, but its Sentinel
        // connections outlive `quit()` and keep the process alive.)
        reconnectOnError: (error: Error) => error.message.startsWith("READONLY"),
      });
    case "cluster":
      return new Cluster(target.nodes, {
        lazyConnect: true,
        redisOptions: { maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST, ...credentials(target) },
      });
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function credentials(target: { username?: string; password?: string }): { username?: string; password?: string } {
  return {
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
  };
}

async function loadIoredis(): Promise<Ioredis> {
  try {
    const { Redis, Cluster } = await import("ioredis");
    return { Redis, Cluster };
  } catch (error) {
    throw new Error('store: the redis backend needs the "ioredis" package; install it with `npm install ioredis`', { cause: error });
  }
}
