/**
 * The sqlite backend: the shared Store contract on a temp file and in memory, plus what only a
 * file-backed database promises (durability across reopen, WAL, schema versioning).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { openSqliteStore } from "../../../src/store/sqlite/index.ts";
import { SCHEMA_VERSION } from "../../../src/store/sqlite/schema.ts";
import { transaction } from "../../../src/store/sqlite/transaction.ts";
import type { AcceptOutcome } from "../../../src/store/store.ts";
import { runStoreContract } from "../../store/contract.ts";

const dir = mkdtempSync(join(tmpdir(), "switchboard-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const tempFile = () => join(dir, `${randomUUID()}.db`);

runStoreContract("sqlite (file)", () => openSqliteStore(tempFile()));
runStoreContract("sqlite (:memory:)", () => openSqliteStore(":memory:"));

const T0 = 1_700_000_000_000;

function sessionIdOf(outcome: AcceptOutcome): string {
  assert.equal(outcome.status, "accepted");
  return outcome.sessionId;
}

describe("sqlite store", () => {
  it("a pending inbox item and a pending outbox item survive close and reopen", async () => {
    const file = tempFile();
    const first = await openSqliteStore(file);
    const input = (eventId: string) => ({
      channel: "chat",
      eventId,
      now: T0,
      dedupeTtlMs: 60_000,
      session: { agent: "echo", ttlMs: 60_000, threadKey: { channel: "chat", key: "dm:alice" } },
      item: { kind: "message" as const, text: `hi ${eventId}`, sender: { id: "alice" }, replyTo: { conversation: "c1" } },
      maxPendingPerSession: 10,
    });
    const done = await first.accept(input("e1"));
    const sessionId = sessionIdOf(done);
    assert.equal(done.status, "accepted");
    await first.completeTurn({
      sessionId,
      messageIds: [done.messageId],
      status: "done",
      reply: "hello",
      transcript: [{ role: "assistant", text: "hello", at: T0 }],
      outbox: [{ key: "t1:0", channel: "chat", to: { conversation: "c1" }, text: "hello" }],
      now: T0 + 1,
    });
    await first.accept(input("e2"));
    await first.close();

    const second = await openSqliteStore(file, { synchronous: "NORMAL" });
    try {
      assert.deepEqual((await second.pendingInbox(sessionId, 10)).map((item) => item.text), ["hi e2"]);
      assert.deepEqual((await second.dueOutbox(T0 + 1, 10)).map((item) => item.key), ["t1:0"]);
      assert.deepEqual(await second.sessionsWithPending(), [sessionId]);
      assert.equal((await second.accept(input("e2"))).status, "duplicate");
      assert.equal(sessionIdOf(await second.accept(input("e3"))), sessionId, "the thread map survives too");
    } finally {
      await second.close();
    }
  });

  it("runs in WAL mode with the current schema version", async () => {
    const file = tempFile();
    const store = await openSqliteStore(file);
    await store.close();
    const db = new DatabaseSync(file);
    try {
      assert.equal(db.prepare("PRAGMA journal_mode").get()?.["journal_mode"], "wal");
      assert.equal(db.prepare("PRAGMA user_version").get()?.["user_version"], SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it("creates missing parent directories", async () => {
    const file = join(dir, "nested", randomUUID(), "store.db");
    const store = await openSqliteStore(file);
    await store.close();
    assert.ok(existsSync(file));
  });

  it("refuses a database written by a newer schema", async () => {
    const file = tempFile();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await assert.rejects(openSqliteStore(file), /newer than this switchboard/);
  });

  it("a transaction that throws leaves nothing behind", () => {
    const db = new DatabaseSync(":memory:");
    try {
      db.exec("CREATE TABLE t (v INTEGER)");
      assert.throws(() =>
        transaction(db, () => {
          db.prepare("INSERT INTO t (v) VALUES (1)").run();
          throw new Error("boom");
        }),
      /boom/);
      assert.equal(db.isTransaction, false);
      assert.equal(db.prepare("SELECT COUNT(*) AS n FROM t").get()?.["n"], 0);
      assert.equal(transaction(db, () => db.prepare("INSERT INTO t (v) VALUES (2)").run().changes), 1);
      assert.equal(db.prepare("SELECT COUNT(*) AS n FROM t").get()?.["n"], 1);
    } finally {
      db.close();
    }
  });
});
