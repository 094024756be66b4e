/**
 * Pairing on sqlite: the requests unknown senders were given a code for, and the senders an
 * admin approved. Its own statements, prepared once with the store.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { PairingInput, PairingOutcome, PairingRequest } from "../store.ts";
import { transaction } from "./transaction.ts";

const COLUMNS = "channel, code, sender_id, sender_name, created_at, expires_at";

export class SqlitePairing {
  readonly #db: DatabaseSync;
  readonly #st: Record<"dropExpired" | "bySender" | "byCode" | "countPending" | "insert" | "remove" | "approve" | "approved" | "revoke" | "listAll" | "listChannel", StatementSync>;

  constructor(db: DatabaseSync) {
    this.#db = db;
    const prepare = (sql: string) => db.prepare(sql);
    this.#st = {
      dropExpired: prepare("DELETE FROM pairing_requests WHERE expires_at <= :now"),
      bySender: prepare(`SELECT ${COLUMNS} FROM pairing_requests WHERE channel = :channel AND sender_id = :senderId`),
      byCode: prepare(`SELECT ${COLUMNS} FROM pairing_requests WHERE channel = :channel AND code = :code AND expires_at > :now`),
      countPending: prepare("SELECT count(*) AS n FROM pairing_requests WHERE channel = :channel"),
      insert: prepare(
        `INSERT INTO pairing_requests (${COLUMNS}) VALUES (:channel, :code, :senderId, :senderName, :now, :expiresAt) ON CONFLICT DO NOTHING`,
      ),
      remove: prepare("DELETE FROM pairing_requests WHERE channel = :channel AND code = :code"),
      approve: prepare("INSERT OR REPLACE INTO approved_senders (channel, sender_id, approved_at) VALUES (:channel, :senderId, :now)"),
      approved: prepare("SELECT 1 FROM approved_senders WHERE channel = :channel AND sender_id = :senderId"),
      revoke: prepare("DELETE FROM approved_senders WHERE channel = :channel AND sender_id = :senderId"),
      listAll: prepare(`SELECT ${COLUMNS} FROM pairing_requests WHERE expires_at > :now ORDER BY created_at, channel, code`),
      listChannel: prepare(`SELECT ${COLUMNS} FROM pairing_requests WHERE channel = :channel AND expires_at > :now ORDER BY created_at, code`),
    };
  }

  request(input: PairingInput): PairingOutcome {
    const st = this.#st;
    return transaction(this.#db, () => {
      st.dropExpired.run({ now: input.now });
      const existing = st.bySender.get({ channel: input.channel, senderId: input.senderId });
      if (existing) return { status: "pending", request: toRequest(existing) };
      if (Number(st.countPending.get({ channel: input.channel })?.["n"] ?? 0) >= input.maxPending) return { status: "full" };
      const expiresAt = input.now + input.ttlMs;
      const row = { channel: input.channel, code: input.code, senderId: input.senderId, senderName: input.senderName ?? null, now: input.now, expiresAt };
      if (Number(st.insert.run(row).changes) === 0) return { status: "taken" };
      return { status: "issued", request: { channel: input.channel, code: input.code, senderId: input.senderId, senderName: input.senderName, createdAt: input.now, expiresAt } };
    });
  }

  approve(channel: string, code: string, now: number): PairingRequest | undefined {
    const st = this.#st;
    return transaction(this.#db, () => {
      const row = st.byCode.get({ channel, code, now });
      if (!row) return undefined;
      const request = toRequest(row);
      st.remove.run({ channel, code });
      st.approve.run({ channel, senderId: request.senderId, now });
      return request;
    });
  }

  list(channel: string | undefined, now: number): PairingRequest[] {
    const rows = channel === undefined ? this.#st.listAll.all({ now }) : this.#st.listChannel.all({ channel, now });
    return rows.map(toRequest);
  }

  isApproved(channel: string, senderId: string): boolean {
    return this.#st.approved.get({ channel, senderId }) !== undefined;
  }

  revoke(channel: string, senderId: string): boolean {
    return Number(this.#st.revoke.run({ channel, senderId }).changes) > 0;
  }
}

function toRequest(row: Record<string, unknown>): PairingRequest {
  return {
    channel: String(row["channel"]),
    code: String(row["code"]),
    senderId: String(row["sender_id"]),
    senderName: row["sender_name"] === null || row["sender_name"] === undefined ? undefined : String(row["sender_name"]),
    createdAt: Number(row["created_at"]),
    expiresAt: Number(row["expires_at"]),
  };
}
