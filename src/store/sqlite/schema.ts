/**
 * The sqlite schema and its migrations. `PRAGMA user_version` records how many migrations a
 * database file has had; opening runs the missing ones, each in its own transaction.
 */
import type { DatabaseSync } from "node:sqlite";
import { transaction } from "./transaction.ts";

/**
 * Append-only: a released migration is never edited, a change is a new entry. Children of a
 * session cascade on its deletion, so eviction is one DELETE; dedupe rows have no foreign key
 * because they must outlive the session (a platform may redeliver after eviction).
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    agent            TEXT NOT NULL,
    channel          TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    created_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
  );
  CREATE INDEX sessions_expires ON sessions (expires_at);
  CREATE INDEX sessions_activity ON sessions (last_activity_at);

  -- A session is opened for at most one thread key, hence UNIQUE (session_id) too.
  CREATE TABLE thread_map (
    channel    TEXT NOT NULL,
    thread_key TEXT NOT NULL,
    session_id TEXT NOT NULL UNIQUE REFERENCES sessions (id) ON DELETE CASCADE,
    UNIQUE (channel, thread_key)
  );

  CREATE TABLE inbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('message', 'reset')),
    text        TEXT NOT NULL,
    sender      TEXT NOT NULL,
    reply_to    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'interrupted')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    accepted_at INTEGER NOT NULL,
    reply       TEXT
  );
  CREATE INDEX inbox_session ON inbox (session_id, status, seq);
  CREATE INDEX inbox_pending ON inbox (seq) WHERE status = 'pending';
  CREATE INDEX inbox_event ON inbox (channel, event_id);

  CREATE TABLE transcript (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    text       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    message_id TEXT
  );
  CREATE INDEX transcript_session ON transcript (session_id, seq);

  CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    key             TEXT NOT NULL UNIQUE,
    session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    text            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    platform_id     TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
  );
  CREATE INDEX outbox_session ON outbox (session_id, status);
  CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE status = 'pending';

  CREATE TABLE dedupe (
    channel    TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (channel, event_id)
  ) WITHOUT ROWID;
  CREATE INDEX dedupe_expires ON dedupe (expires_at);
  `,
  `
  ALTER TABLE sessions ADD COLUMN agent_state TEXT;

  CREATE TABLE exposures (
    id                TEXT PRIMARY KEY,
    parent_session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    session_id        TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    agent_id          TEXT NOT NULL,
    label             TEXT,
    user_id           TEXT NOT NULL,
    created_at        INTEGER NOT NULL
  );
  CREATE INDEX exposures_parent ON exposures (parent_session_id, created_at);
  `,
  `
  ALTER TABLE outbox ADD COLUMN edit_of TEXT;
  ALTER TABLE inbox ADD COLUMN attachments TEXT;
  `,
  `
  CREATE TABLE channel_state (
    channel    TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (channel, key)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
  ALTER TABLE outbox ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
  `,
  // A session's lane: its holder ('' once released) and fencing token. The row outlives a
  // release so that tokens only grow; eviction deletes it with the session.
  `
  CREATE TABLE lanes (
    session_id TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    token      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Pairing: codes given to unknown senders, and the senders an admin approved.
  `
  CREATE TABLE pairing_requests (
    channel     TEXT NOT NULL,
    code        TEXT NOT NULL,
    sender_id   TEXT NOT NULL,
    sender_name TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (channel, code),
    UNIQUE (channel, sender_id)
  ) WITHOUT ROWID;
  CREATE TABLE approved_senders (
    channel     TEXT NOT NULL,
    sender_id   TEXT NOT NULL,
    approved_at INTEGER NOT NULL,
    PRIMARY KEY (channel, sender_id)
  ) WITHOUT ROWID;
  `,
  // Token buckets of the rate limits and the loop guard; a row past expires_at is a full bucket.
  `
  CREATE TABLE buckets (
    key           TEXT PRIMARY KEY,
    tokens        REAL NOT NULL,
    at            INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX buckets_expires ON buckets (expires_at);
  `,
  // The audit log: who was let in or turned away, who approved whom, which keys were rotated.
  `
  CREATE TABLE audit (
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    channel    TEXT,
    actor      TEXT,
    subject    TEXT,
    session_id TEXT,
    reason     TEXT
  );
  CREATE INDEX audit_at ON audit (at);
  `,
  // The linked gateway user a session runs as (identityLinks), beside its platform sender.
  `
  ALTER TABLE sessions ADD COLUMN identity TEXT;
  `,
  // Channels created through the API or CLI; secret values in the config are encrypted envelopes.
  `
  CREATE TABLE stored_channels (
    id         TEXT PRIMARY KEY,
    config     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // Schedules: one row per run, keyed by (schedule, slot) so that a slot fires once across
  // gateways and restarts; and each schedule's state (paused, failures, cursor).
  `
  CREATE TABLE schedule_runs (
    schedule      TEXT NOT NULL,
    slot          TEXT NOT NULL,
    slot_at       INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'started', 'finished', 'delivered', 'failed', 'skipped')),
    holder        TEXT,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    started_at    INTEGER,
    finished_at   INTEGER,
    delivered_at  INTEGER,
    session_id    TEXT,
    reason        TEXT,
    missed        INTEGER,
    error         TEXT,
    PRIMARY KEY (schedule, slot)
  ) WITHOUT ROWID;
  CREATE INDEX schedule_runs_time ON schedule_runs (slot_at);
  CREATE INDEX schedule_runs_schedule_time ON schedule_runs (schedule, slot_at);
  CREATE INDEX schedule_runs_open ON schedule_runs (schedule, status) WHERE status IN ('queued', 'started', 'finished');
  CREATE TABLE schedule_state (
    name            TEXT PRIMARY KEY,
    paused          INTEGER NOT NULL DEFAULT 0,
    cursor          INTEGER NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_failure_at INTEGER
  ) WITHOUT ROWID;
  `,
  // Schedules made through the API or by agents (the YAML's are not stored).
  `
  CREATE TABLE stored_schedules (
    id         TEXT PRIMARY KEY,
    config     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: DatabaseSync): void {
  const current = userVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `store: the database has schema version ${current}, newer than this switchboard understands ` +
        `(${SCHEMA_VERSION}); upgrade switchboard or point it at another database`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    transaction(db, () => {
      db.exec(MIGRATIONS[version] ?? "");
      // PRAGMA takes no bound parameters; `version` is our own integer.
      db.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
}

export function userVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get();
  return Number(row?.["user_version"] ?? 0);
}
