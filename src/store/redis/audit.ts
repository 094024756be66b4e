/**
 * The audit log on Redis: `audit`, a sorted set of entry JSON scored by time (a random suffix
 * keeps equal entries apart). Filters run here; the log is pruned by age, so it stays small.
 */
import { randomBytes } from "node:crypto";
import type { AuditEntry, AuditQuery } from "../store.ts";
import type { RedisClient } from "./connect.ts";

const DEFAULT_LIMIT = 100;
const SCAN_BATCH = 500;

export class RedisAudit {
  readonly #redis: RedisClient;
  readonly #key: string;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#key = `${prefix}audit`;
  }

  async append(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const args: Array<string | number> = [];
    for (const entry of entries) args.push(entry.at, `${JSON.stringify(entry)}\u0000${randomBytes(4).toString("hex")}`);
    await this.#redis.zadd(this.#key, ...args);
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const found: AuditEntry[] = [];
    // Newest first, in batches, until enough entries pass the filters.
    for (let offset = 0; found.length < limit; offset += SCAN_BATCH) {
      const batch = await this.#redis.zrevrangebyscore(this.#key, "+inf", query.since ?? 0, "LIMIT", offset, SCAN_BATCH);
      for (const member of batch) {
        const entry = JSON.parse(member.slice(0, member.lastIndexOf("\u0000"))) as AuditEntry;
        if ((query.channel === undefined || entry.channel === query.channel) && (query.kind === undefined || entry.kind === query.kind)) found.push(entry);
        if (found.length >= limit) break;
      }
      if (batch.length < SCAN_BATCH) break;
    }
    return found;
  }

  async prune(before: number): Promise<number> {
    return this.#redis.zremrangebyscore(this.#key, "-inf", `(${before}`);
  }
}
