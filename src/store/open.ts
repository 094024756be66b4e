/**
 * Opens the Store a config URL names. Backends are imported lazily, so a deployment only loads
 * the one it uses.
 */
import { resolve } from "node:path";
import { ConfigError } from "../core/errors.ts";
import type { Store } from "./store.ts";

const SQLITE = "sqlite:";
const EXPECTED = "expected sqlite:<path>";
const EXPECTED_ANY = "expected sqlite:<path> or redis://host:port[/db][?prefix=name:]";

export async function openStore(url: string): Promise<Store> {
  if (url.startsWith(SQLITE)) {
    const { openSqliteStore } = await import("./sqlite/index.ts");
    return openSqliteStore(sqlitePath(url));
  }
  if (url.startsWith("redis://") || url.startsWith("rediss://")) {
    const { openRedisStore } = await import("./redis/index.ts");
    const { connection, prefix } = redisUrl(url);
    return openRedisStore(connection, prefix === undefined ? {} : { prefix });
  }
  throw new ConfigError([`store: unsupported store URL "${url}" (${EXPECTED_ANY})`]);
}

function sqlitePath(url: string): string {
  const path = url.slice(SQLITE.length);
  if (path === ":memory:") return path;
  if (path === "") {
    throw new ConfigError([`store: the store URL "${url}" has no file path (${EXPECTED}, e.g. sqlite:./data/switchboard.db)`]);
  }
  // `sqlite://x` means a relative path to some tools and an absolute one to others; guessing
  // wrong would put the data somewhere unexpected, so ask for the unambiguous form.
  if (path.startsWith("//")) {
    throw new ConfigError([
      `store: ambiguous store URL "${url}" (${EXPECTED} without "//", e.g. sqlite:./data/switchboard.db or sqlite:/var/lib/switchboard/store.db)`,
    ]);
  }
  return resolve(process.cwd(), path);
}

/** `redis://[user:pass@]host:port[/db][?prefix=…]`: the key prefix rides in the query, the rest is ioredis's. */
function redisUrl(url: string): { connection: string; prefix: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([`store: "${url.replace(/\/\/[^@/]*@/, "//…@")}" is not a valid redis URL (${EXPECTED_ANY})`]);
  }
  const prefix = parsed.searchParams.get("prefix") ?? undefined;
  if (prefix === "") throw new ConfigError(["store: the redis key prefix is empty; leave ?prefix= out for the default switchboard:"]);
  parsed.searchParams.delete("prefix");
  return { connection: parsed.toString(), prefix };
}
