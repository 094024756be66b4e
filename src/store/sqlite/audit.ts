/** The audit log on sqlite: one row per entry, read newest first. */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AuditEntry, AuditQuery } from "../store.ts";
import { transaction } from "./transaction.ts";

const DEFAULT_LIMIT = 100;

export class SqliteAudit {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #list: StatementSync;
  readonly #prune: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare("INSERT INTO audit (at, kind, channel, actor, subject, session_id, reason) VALUES (:at, :kind, :channel, :actor, :subject, :sessionId, :reason)");
    this.#list = db.prepare(`
      SELECT at, kind, channel, actor, subject, session_id, reason FROM audit
      WHERE (:channel IS NULL OR channel = :channel) AND (:kind IS NULL OR kind = :kind) AND at >= :since
      ORDER BY at DESC, rowid DESC LIMIT :limit`);
    this.#prune = db.prepare("DELETE FROM audit WHERE at < :before");
  }

  append(entries: AuditEntry[]): void {
    if (entries.length === 0) return;
    transaction(this.#db, () => {
      for (const e of entries) {
        this.#insert.run({ at: e.at, kind: e.kind, channel: e.channel ?? null, actor: e.actor ?? null, subject: e.subject ?? null, sessionId: e.sessionId ?? null, reason: e.reason ?? null });
      }
    });
  }

  list(query: AuditQuery = {}): AuditEntry[] {
    const rows = this.#list.all({ channel: query.channel ?? null, kind: query.kind ?? null, since: query.since ?? 0, limit: query.limit ?? DEFAULT_LIMIT });
    return rows.map((row) => {
      const entry: AuditEntry = { at: Number(row["at"]), kind: String(row["kind"]) };
      for (const [field, column] of [["channel", "channel"], ["actor", "actor"], ["subject", "subject"], ["sessionId", "session_id"], ["reason", "reason"]] as const) {
        if (row[column] !== null && row[column] !== undefined) entry[field] = String(row[column]);
      }
      return entry;
    });
  }

  prune(before: number): number {
    return Number(this.#prune.run({ before }).changes);
  }
}
