/**
 * The embedded Store backend on node:sqlite: one file, WAL journal, fsync on every commit by
 * default so an accepted message survives power loss, not just kill -9.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Store } from "../store.ts";
import { migrate } from "./schema.ts";
import { SqliteStore } from "./sqlite-store.ts";

export interface SqliteStoreOptions {
  /** FULL (default) syncs every commit; NORMAL may lose the last commits on power loss, never on a crash. */
  synchronous?: "FULL" | "NORMAL";
}

const MEMORY = ":memory:";

export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const synchronous = options.synchronous ?? "FULL";
  if (synchronous !== "FULL" && synchronous !== "NORMAL") {
    throw new Error(`store: sqlite synchronous must be "FULL" or "NORMAL", not "${String(synchronous)}"`);
  }
  if (path !== MEMORY) mkdirSync(dirname(path), { recursive: true });

  const db = new DatabaseSync(path);
  try {
    // busy_timeout first: switching to WAL needs a lock another process may briefly hold.
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${synchronous}`);
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db);
    return new SqliteStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

export { SqliteStore } from "./sqlite-store.ts";
