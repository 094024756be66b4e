/**
 * Schedule runs and state on sqlite. The primary key (schedule, slot) of `schedule_runs` is what
 * makes a slot fire once: a claim is an INSERT in a BEGIN IMMEDIATE transaction, so of two
 * connections (two gateways on one file) only one inserts it.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  ScheduleClaim, ScheduleClaimOutcome, ScheduleRun, ScheduleRunQuery, ScheduleRunStatus, ScheduleRunUpdate, ScheduleSkipReason, ScheduleState,
} from "../schedules.ts";
import { transaction } from "./transaction.ts";

const DEFAULT_LIMIT = 50;
const OPEN = "('queued', 'started', 'finished')";
const RUN_COLUMNS =
  "schedule, slot, slot_at, status, holder, claimed_until, attempts, started_at, finished_at, delivered_at, session_id, reason, missed, error";

type StatementName =
  | "run" | "insertRun" | "takeRun" | "liveOther" | "advance" | "renew" | "update" | "listOne" | "listAll" | "listOpenOne" | "listOpenAll"
  | "skipQueued" | "prune" | "state" | "initState" | "pause" | "resume" | "failed" | "delivered";

export class SqliteSchedules {
  readonly #db: DatabaseSync;
  readonly #st: Record<StatementName, StatementSync>;

  constructor(db: DatabaseSync) {
    this.#db = db;
    const prepare = (sql: string) => db.prepare(sql);
    this.#st = {
      run: prepare(`SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE schedule = :schedule AND slot = :slot`),
      insertRun: prepare(
        `INSERT INTO schedule_runs (${RUN_COLUMNS})
         VALUES (:schedule, :slot, :slotAt, :status, :holder, :claimedUntil, :attempts, :startedAt, NULL, NULL, NULL, :reason, :missed, NULL)
         ON CONFLICT DO NOTHING`,
      ),
      takeRun: prepare(
        `UPDATE schedule_runs SET status = CASE status WHEN 'queued' THEN 'started' ELSE status END, holder = :holder,
           claimed_until = :claimedUntil, attempts = attempts + 1, started_at = coalesce(started_at, :now)
         WHERE schedule = :schedule AND slot = :slot`,
      ),
      liveOther: prepare(
        `SELECT slot FROM schedule_runs WHERE schedule = :schedule AND slot <> :slot AND status IN ('started', 'finished') AND claimed_until > :now LIMIT 1`,
      ),
      advance: prepare(
        `INSERT INTO schedule_state (name, paused, cursor, failures) VALUES (:schedule, 0, :slotAt, 0)
         ON CONFLICT (name) DO UPDATE SET cursor = max(cursor, excluded.cursor)`,
      ),
      renew: prepare(
        `UPDATE schedule_runs SET claimed_until = :until
         WHERE schedule = :schedule AND slot = :slot AND holder = :holder AND status IN ('started', 'finished')`,
      ),
      update: prepare(
        `UPDATE schedule_runs SET status = :status, session_id = coalesce(:sessionId, session_id), error = :error,
           finished_at = coalesce(finished_at, :now), delivered_at = CASE :status WHEN 'delivered' THEN :now ELSE delivered_at END
         WHERE schedule = :schedule AND slot = :slot AND holder = :holder AND status IN ('started', 'finished')`,
      ),
      listOne: prepare(`SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE schedule = :schedule ORDER BY slot_at DESC, slot DESC LIMIT :limit`),
      listAll: prepare(`SELECT ${RUN_COLUMNS} FROM schedule_runs ORDER BY slot_at DESC, schedule DESC, slot DESC LIMIT :limit`),
      listOpenOne: prepare(
        `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE schedule = :schedule AND status IN ${OPEN} ORDER BY slot_at DESC, slot DESC LIMIT :limit`,
      ),
      listOpenAll: prepare(
        `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE status IN ${OPEN} ORDER BY slot_at DESC, schedule DESC, slot DESC LIMIT :limit`,
      ),
      skipQueued: prepare("UPDATE schedule_runs SET status = 'skipped', reason = 'overlap', holder = :holder WHERE schedule = :schedule AND slot = :slot"),
      prune: prepare(`DELETE FROM schedule_runs WHERE slot_at < :before AND status NOT IN ${OPEN}`),
      state: prepare("SELECT paused, cursor, failures, last_failure_at FROM schedule_state WHERE name = :schedule"),
      initState: prepare("INSERT INTO schedule_state (name, paused, cursor, failures) VALUES (:schedule, 0, :cursor, 0) ON CONFLICT (name) DO NOTHING"),
      pause: prepare(
        `INSERT INTO schedule_state (name, paused, cursor, failures) VALUES (:schedule, 1, :now, 0)
         ON CONFLICT (name) DO UPDATE SET paused = 1`,
      ),
      resume: prepare(
        `INSERT INTO schedule_state (name, paused, cursor, failures) VALUES (:schedule, 0, :now, 0)
         ON CONFLICT (name) DO UPDATE SET paused = 0, cursor = max(cursor, :now)`,
      ),
      failed: prepare("UPDATE schedule_state SET failures = failures + 1, last_failure_at = :now WHERE name = :schedule"),
      delivered: prepare("UPDATE schedule_state SET failures = 0, last_failure_at = NULL WHERE name = :schedule"),
    };
  }

  claim(claim: ScheduleClaim): ScheduleClaimOutcome {
    const st = this.#st;
    const key = { schedule: claim.schedule, slot: claim.slot };
    return transaction(this.#db, () => {
      if (claim.advanceCursor) st.advance.run({ schedule: claim.schedule, slotAt: claim.slotAt });
      const claimedUntil = claim.now + claim.leaseMs;
      const existing = st.run.get(key);
      if (existing) {
        const run = toRun(existing);
        const abandoned = (run.status === "started" || run.status === "finished") && run.claimedUntil <= claim.now;
        if (run.status === "queued" && this.#overlaps(claim)) return this.#skipQueued(claim);
        if (run.status !== "queued" && !abandoned) return { status: "taken" };
        st.takeRun.run({ ...key, holder: claim.holder, claimedUntil, now: claim.now });
        return { status: "claimed", run: toRun(st.run.get(key)!) };
      }
      const skip: ScheduleClaim["skip"] = claim.skip ?? (this.#overlaps(claim) ? { reason: "overlap" } : undefined);
      st.insertRun.run({
        ...key,
        slotAt: claim.slotAt,
        status: skip ? "skipped" : "started",
        holder: claim.holder,
        claimedUntil: skip ? 0 : claimedUntil,
        attempts: skip ? 0 : 1,
        startedAt: skip ? null : claim.now,
        reason: skip?.reason ?? null,
        missed: skip?.missed ?? null,
      });
      return { status: skip ? "skipped" : "claimed", run: toRun(st.run.get(key)!) };
    });
  }

  /** Another run of the schedule is started or finished under a live claim. */
  #overlaps(claim: ScheduleClaim): boolean {
    return this.#st.liveOther.get({ schedule: claim.schedule, slot: claim.slot, now: claim.now }) !== undefined;
  }

  #skipQueued(claim: ScheduleClaim): ScheduleClaimOutcome {
    const key = { schedule: claim.schedule, slot: claim.slot };
    this.#st.skipQueued.run({ ...key, holder: claim.holder });
    return { status: "skipped", run: toRun(this.#st.run.get(key)!) };
  }

  renew(schedule: string, slot: string, holder: string, until: number): boolean {
    return Number(this.#st.renew.run({ schedule, slot, holder, until }).changes) > 0;
  }

  update(update: ScheduleRunUpdate): boolean {
    const st = this.#st;
    return transaction(this.#db, () => {
      const changed = st.update.run({
        schedule: update.schedule,
        slot: update.slot,
        holder: update.holder,
        status: update.status,
        now: update.now,
        sessionId: update.sessionId ?? null,
        error: update.error ?? null,
      });
      if (Number(changed.changes) === 0) return false;
      if (update.countsForBackoff && update.status === "failed") st.failed.run({ schedule: update.schedule, now: update.now });
      if (update.countsForBackoff && update.status === "delivered") st.delivered.run({ schedule: update.schedule });
      return true;
    });
  }

  queue(schedule: string, slot: string, now: number): boolean {
    const row = { schedule, slot, slotAt: now, status: "queued", holder: null, claimedUntil: 0, attempts: 0, startedAt: null, reason: null, missed: null };
    return Number(this.#st.insertRun.run(row).changes) > 0;
  }

  list(query: ScheduleRunQuery = {}): ScheduleRun[] {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const st = this.#st;
    const rows =
      query.schedule === undefined
        ? (query.open ? st.listOpenAll : st.listAll).all({ limit })
        : (query.open ? st.listOpenOne : st.listOne).all({ schedule: query.schedule, limit });
    return rows.map(toRun);
  }

  prune(before: number): number {
    return Number(this.#st.prune.run({ before }).changes);
  }

  state(schedule: string): ScheduleState | undefined {
    const row = this.#st.state.get({ schedule });
    return row ? toState(row) : undefined;
  }

  initState(schedule: string, cursor: number): ScheduleState {
    this.#st.initState.run({ schedule, cursor });
    return this.state(schedule)!;
  }

  setPaused(schedule: string, paused: boolean, now: number): ScheduleState {
    (paused ? this.#st.pause : this.#st.resume).run({ schedule, now });
    return this.state(schedule)!;
  }
}

function optional<T>(row: Record<string, unknown>, column: string, as: (value: unknown) => T): T | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : as(value);
}

function toRun(row: Record<string, unknown>): ScheduleRun {
  return {
    schedule: String(row["schedule"]),
    slot: String(row["slot"]),
    slotAt: Number(row["slot_at"]),
    status: String(row["status"]) as ScheduleRunStatus,
    holder: optional(row, "holder", String),
    claimedUntil: Number(row["claimed_until"]),
    attempts: Number(row["attempts"]),
    startedAt: optional(row, "started_at", Number),
    finishedAt: optional(row, "finished_at", Number),
    deliveredAt: optional(row, "delivered_at", Number),
    sessionId: optional(row, "session_id", String),
    reason: optional(row, "reason", (v) => String(v) as ScheduleSkipReason),
    missed: optional(row, "missed", Number),
    error: optional(row, "error", String),
  };
}

function toState(row: Record<string, unknown>): ScheduleState {
  return {
    paused: Number(row["paused"]) === 1,
    cursor: Number(row["cursor"]),
    failures: Number(row["failures"]),
    lastFailureAt: optional(row, "last_failure_at", Number),
  };
}
