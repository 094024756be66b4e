/**
 * The one way the sqlite backend writes more than one record: BEGIN IMMEDIATE takes the write
 * lock up front, so a concurrent writer waits on busy_timeout instead of failing mid-transaction.
 */
import type { DatabaseSync } from "node:sqlite";

/** Runs `fn` in one transaction: COMMIT when it returns, ROLLBACK when it throws. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL).
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
