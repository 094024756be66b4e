/**
 * Opens the Store a config URL names. Backends are imported lazily, so a deployment only loads
 * the one it uses.
 */
import { resolve } from "node:path";
import { ConfigError } from "../core/errors.ts";
import type { Store } from "./store.ts";
import { isRedisUrl, parseRedisUrl, redactRedisUrl, REDIS_FORMS } from "./redis/url.ts";

const SQLITE = "sqlite:";
const EXPECTED = "expected sqlite:<path>";
const EXPECTED_ANY = `expected sqlite:<path>, ${REDIS_FORMS.join(", ")}`;

export async function openStore(url: string): Promise<Store> {
  if (url.startsWith(SQLITE)) {
    const { openSqliteStore } = await import("./sqlite/index.ts");
    return openSqliteStore(sqlitePath(url));
  }
  if (isRedisUrl(url)) {
    // Parsed before the backend loads, so a mistyped URL is a config error even without ioredis.
    parseRedisUrl(url);
    const { openRedisStore } = await import("./redis/index.ts");
    return openRedisStore(url);
  }
  throw new ConfigError([`store: unsupported store URL "${redactStoreUrl(url)}" (${EXPECTED_ANY})`]);
}

/** The store URL as it may be shown (the start banner, `check`, errors): passwords become `••••`. */
export function redactStoreUrl(url: string): string {
  return redactRedisUrl(url);
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
