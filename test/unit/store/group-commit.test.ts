/**
 * Group commit on a real SQLite file: writes of one event-loop turn share one COMMIT, a write that
 * throws undoes only itself, and a write's promise settles only once it is visible to another
 * connection (committed), never before.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GroupCommit } from "../../../src/store/sqlite/group-commit.ts";
import { transaction } from "../../../src/store/sqlite/transaction.ts";

function open(): { db: DatabaseSync; other: () => DatabaseSync; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-gc-"));
  const file = join(dir, "t.db");
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
  const others: DatabaseSync[] = [];
  return {
    db,
    other: () => {
      const o = new DatabaseSync(file);
      others.push(o);
      return o;
    },
    cleanup: () => {
      for (const o of others) o.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("group commit", () => {
  it("writes queued in one turn share one COMMIT, and each is committed when its promise resolves", async () => {
    const { db, other, cleanup } = open();
    try {
      const gc = new GroupCommit(db);
      const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      const writes = Array.from({ length: 100 }, (_, i) => gc.write(() => insert.run(`k${i}`, i).changes));
      assert.equal(other().prepare("SELECT count(*) AS n FROM t").get()!["n"], 0, "nothing is visible before the flush");
      assert.deepEqual(await Promise.all(writes), Array.from({ length: 100 }, () => 1));
      assert.deepEqual(gc.stats, { flushes: 1, writes: 100 });
      assert.equal(other().prepare("SELECT count(*) AS n FROM t").get()!["n"], 100, "a resolved write is committed: another connection sees it");
    } finally {
      cleanup();
    }
  });

  it("a write that throws undoes only its own changes, its own transaction() included; the others commit", async () => {
    const { db, other, cleanup } = open();
    try {
      const gc = new GroupCommit(db);
      const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      const first = gc.write(() => insert.run("a", 1));
      const failing = gc.write(() =>
        transaction(db, () => {
          insert.run("b", 2);
          insert.run("a", 3); // duplicate key: throws, after "b" was written
        }),
      );
      const last = gc.write(() => insert.run("c", 4));
      await first;
      await assert.rejects(failing, /UNIQUE constraint failed/);
      await last;
      const rows = other().prepare("SELECT k, v FROM t ORDER BY k").all().map((r) => `${String(r["k"])}=${String(r["v"])}`);
      assert.deepEqual(rows, ["a=1", "c=4"], "b was rolled back with the write that failed");
    } finally {
      cleanup();
    }
  });

  it("writes in later turns get later COMMITs, and drain waits for the last one", async () => {
    const { db, cleanup } = open();
    try {
      const gc = new GroupCommit(db);
      const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      await gc.write(() => insert.run("x", 1));
      void gc.write(() => insert.run("y", 2));
      await gc.drain();
      assert.deepEqual(gc.stats, { flushes: 2, writes: 2 });
      assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()!["n"], 2);
    } finally {
      cleanup();
    }
  });
});
