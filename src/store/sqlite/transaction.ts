/**
 * How the sqlite backend writes more than one record at once. BEGIN IMMEDIATE takes the write
 * lock up front, so a concurrent writer waits on busy_timeout instead of failing mid-transaction.
 * Inside a transaction already open (a group commit, see group-commit.ts) the same code runs in a
 * savepoint instead, so it stays all-or-nothing on its own.
 *
 * These run several times per message, so their statements are prepared once per connection
 * rather than parsed by `exec` each time.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

let depth = 0;
/** The depth of the savepoint a group-committed write runs in, while it runs (see `ownSavepoint`). */
let writeDepth = -1;

const prepared = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

function run(db: DatabaseSync, sql: string): void {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.prepare(sql)));
  statement.run();
}

/** Runs `fn` in one transaction: COMMIT when it returns, ROLLBACK when it throws. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) {
    // Directly inside a group-committed write's own savepoint, a second one would only repeat it:
    // if `fn` throws, the write's savepoint undoes exactly the same writes.
    if (depth === writeDepth) return fn();
    return savepoint(db, fn);
  }
  run(db, "BEGIN IMMEDIATE");
  try {
    const result = fn();
    run(db, "COMMIT");
    return result;
  } catch (error) {
    // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL).
    if (db.isTransaction) run(db, "ROLLBACK");
    throw error;
  }
}

/** Runs `fn` inside the open transaction, undoing only its own writes when it throws. */
export function savepoint<T>(db: DatabaseSync, fn: () => T): T {
  // Names only need to be distinct among the savepoints open at once: one per nesting level.
  const name = `sp${depth++}`;
  run(db, `SAVEPOINT ${name}`);
  try {
    const result = fn();
    run(db, `RELEASE ${name}`);
    return result;
  } catch (error) {
    if (db.isTransaction) {
      run(db, `ROLLBACK TO ${name}`);
      run(db, `RELEASE ${name}`);
    }
    throw error;
  } finally {
    depth--;
  }
}

/** One write of a group commit: a savepoint that the write's own `transaction` calls join. */
export function ownSavepoint<T>(db: DatabaseSync, fn: () => T): T {
  const outer = writeDepth;
  return savepoint(db, () => {
    writeDepth = depth;
    try {
      return fn();
    } finally {
      writeDepth = outer;
    }
  });
}
