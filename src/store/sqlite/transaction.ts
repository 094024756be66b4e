/**
 * How the sqlite backend writes more than one record at once. BEGIN IMMEDIATE takes the write
 * lock up front, so a concurrent writer waits on busy_timeout instead of failing mid-transaction.
 * Inside a transaction already open (a group commit, see group-commit.ts) the same code runs in a
 * savepoint instead, so it stays all-or-nothing on its own.
 */
import type { DatabaseSync } from "node:sqlite";

let depth = 0;

/** Runs `fn` in one transaction: COMMIT when it returns, ROLLBACK when it throws. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return savepoint(db, fn);
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

/** Runs `fn` inside the open transaction, undoing only its own writes when it throws. */
export function savepoint<T>(db: DatabaseSync, fn: () => T): T {
  // Names only need to be distinct among the savepoints open at once: one per nesting level.
  const name = `sp${depth++}`;
  db.exec(`SAVEPOINT ${name}`);
  try {
    const result = fn();
    db.exec(`RELEASE ${name}`);
    return result;
  } catch (error) {
    if (db.isTransaction) {
      db.exec(`ROLLBACK TO ${name}`);
      db.exec(`RELEASE ${name}`);
    }
    throw error;
  } finally {
    depth--;
  }
}
