/**
 * Token buckets on sqlite (rate limits, the loop guard): one row per bucket that is not full,
 * taken and written back in one transaction. Rows past their expiry are full buckets and are
 * deleted now and then, so idle senders leave nothing behind.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { takeFromBucket, type BucketTake, type BucketVerdict } from "../../core/abuse/token-bucket.ts";
import { transaction } from "./transaction.ts";

/** How often expired rows are swept, at most: sweeping on every take would cost a write each. */
const SWEEP_EVERY_MS = 60_000;

export class SqliteBuckets {
  readonly #db: DatabaseSync;
  readonly #st: Record<"get" | "put" | "remove" | "sweep", StatementSync>;
  #lastSweep = 0;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#st = {
      get: db.prepare("SELECT tokens, at, blocked_until FROM buckets WHERE key = :key AND expires_at > :now"),
      put: db.prepare(
        `INSERT INTO buckets (key, tokens, at, blocked_until, expires_at) VALUES (:key, :tokens, :at, :blockedUntil, :expiresAt)
         ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, at = excluded.at, blocked_until = excluded.blocked_until, expires_at = excluded.expires_at`,
      ),
      remove: db.prepare("DELETE FROM buckets WHERE key = :key"),
      sweep: db.prepare("DELETE FROM buckets WHERE expires_at <= :now"),
    };
  }

  take(key: string, take: BucketTake): BucketVerdict {
    const st = this.#st;
    return transaction(this.#db, () => {
      if (take.now - this.#lastSweep >= SWEEP_EVERY_MS) {
        st.sweep.run({ now: take.now });
        this.#lastSweep = take.now;
      }
      const row = st.get.get({ key, now: take.now });
      const state = row ? { tokens: Number(row["tokens"]), at: Number(row["at"]), blockedUntil: Number(row["blocked_until"]) } : undefined;
      const step = takeFromBucket(state, take);
      if (step.ttlMs > 0) st.put.run({ key, ...step.state, expiresAt: take.now + step.ttlMs });
      else st.remove.run({ key });
      return step.verdict;
    });
  }
}
