/**
 * Group commit: writes that arrive in the same turn of the event loop share one transaction, so
 * under load many messages cost one fsync instead of one each (with `synchronous = FULL` every
 * COMMIT syncs the WAL). Each write runs in a savepoint of its own, so one that throws rolls back
 * alone; every caller's promise settles only after the COMMIT, so an acknowledged write is on disk
 * exactly as before. A write on its own still pays one setImmediate hop and nothing more.
 */
import type { DatabaseSync } from "node:sqlite";
import { ownSavepoint } from "./transaction.ts";

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  readonly #db: DatabaseSync;
  #queue: Pending[] = [];
  #scheduled: Promise<void> | undefined;
  /** How many writes the last flushes took, for the benchmarks. */
  readonly stats = { flushes: 0, writes: 0 };

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.#scheduled ??= new Promise<void>((done) =>
        setImmediate(() => {
          this.#scheduled = undefined;
          this.#flush();
          done();
        }),
      );
    });
  }

  /** Resolves once every write queued so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.#scheduled) await this.#scheduled;
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    this.stats.flushes++;
    this.stats.writes += batch.length;
    const db = this.#db;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) {
      // A failure SQLite answered by rolling back the whole transaction (SQLITE_FULL) ends the batch:
      // what follows must not run outside it, in autocommit, while its caller is told it failed.
      if (!db.isTransaction) {
        outcomes.push({ ok: false, error: new Error("the store's transaction was rolled back by an earlier write in the same batch") });
        continue;
      }
      try {
        outcomes.push({ ok: true, value: ownSavepoint(db, pending.run) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    if (!db.isTransaction) {
      // Nothing of the batch stuck: every caller hears the error that undid it.
      const cause = outcomes.find((o): o is { ok: false; error: unknown } => !o.ok)?.error;
      for (const pending of batch) pending.reject(cause);
      return;
    }
    try {
      db.exec("COMMIT");
    } catch (error) {
      // Nothing of the batch is durable: every caller hears it, none is told it succeeded.
      if (db.isTransaction) db.exec("ROLLBACK");
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
