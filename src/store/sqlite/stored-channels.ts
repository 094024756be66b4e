/** Channels created through the API or CLI, on sqlite: one row each, written with compare-and-set on the version. */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { StoredChannel } from "../store.ts";
import { transaction } from "./transaction.ts";

export class SqliteStoredChannels {
  readonly #db: DatabaseSync;
  readonly #st: Record<"get" | "list" | "insert" | "update" | "remove", StatementSync>;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#st = {
      get: db.prepare("SELECT id, config, version, updated_at FROM stored_channels WHERE id = :id"),
      list: db.prepare("SELECT id, config, version, updated_at FROM stored_channels ORDER BY id"),
      insert: db.prepare("INSERT INTO stored_channels (id, config, version, updated_at) VALUES (:id, :config, 1, :now)"),
      update: db.prepare("UPDATE stored_channels SET config = :config, version = version + 1, updated_at = :now WHERE id = :id"),
      remove: db.prepare("DELETE FROM stored_channels WHERE id = :id"),
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

  get(id: string): StoredChannel | undefined {
    const row = this.#st.get.get({ id });
    return row ? toStoredChannel(row) : undefined;
  }

  list(): StoredChannel[] {
    return this.#st.list.all().map(toStoredChannel);
  }

  remove(id: string): boolean {
    return Number(this.#st.remove.run({ id }).changes) > 0;
  }
}

function toStoredChannel(row: Record<string, unknown>): StoredChannel {
  return { id: String(row["id"]), config: String(row["config"]), version: Number(row["version"]), updatedAt: Number(row["updated_at"]) };
}
