/**
 * Definitions created through the API, the CLI or an agent (channels, schedules), on sqlite: one
 * row each in the kind's own table, written with compare-and-set on the version.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { StoredRecord } from "../store.ts";
import { transaction } from "./transaction.ts";

export class SqliteStoredRecords {
  readonly #db: DatabaseSync;
  readonly #st: Record<"get" | "list" | "insert" | "update" | "remove", StatementSync>;

  /** `table`: `stored_channels` or `stored_schedules`, our own constant (table names cannot be bound). */
  constructor(db: DatabaseSync, table: "stored_channels" | "stored_schedules") {
    this.#db = db;
    this.#st = {
      get: db.prepare(`SELECT id, config, version, updated_at FROM ${table} WHERE id = :id`),
      list: db.prepare(`SELECT id, config, version, updated_at FROM ${table} ORDER BY id`),
      insert: db.prepare(`INSERT INTO ${table} (id, config, version, updated_at) VALUES (:id, :config, 1, :now)`),
      update: db.prepare(`UPDATE ${table} SET config = :config, version = version + 1, updated_at = :now WHERE id = :id`),
      remove: db.prepare(`DELETE FROM ${table} WHERE id = :id`),
    };
  }

  put(id: string, config: string, now: number, expectedVersion: number | undefined): number | undefined {
    return transaction(this.#db, () => {
      const current = this.get(id);
      if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) return undefined;
      if (current) this.#st.update.run({ id, config, now });
      else this.#st.insert.run({ id, config, now });
      return (current?.version ?? 0) + 1;
    });
  }

  get(id: string): StoredRecord | undefined {
    const row = this.#st.get.get({ id });
    return row ? toStoredRecord(row) : undefined;
  }

  list(): StoredRecord[] {
    return this.#st.list.all().map(toStoredRecord);
  }

  remove(id: string): boolean {
    return Number(this.#st.remove.run({ id }).changes) > 0;
  }
}

function toStoredRecord(row: Record<string, unknown>): StoredRecord {
  return { id: String(row["id"]), config: String(row["config"]), version: Number(row["version"]), updatedAt: Number(row["updated_at"]) };
}
