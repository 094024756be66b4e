/**
 * Every SQL statement the sqlite backend runs, prepared once when the store opens. Parameters
 * are named (`:id`), so call sites read as records rather than positional lists.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A session with the thread key that still points at it, if any (see toSession). */
const SESSION_COLUMNS = `
  s.id, s.agent, s.channel, s.user_id, s.identity, s.status, s.created_at, s.last_activity_at, s.expires_at,
  m.channel AS map_channel, m.thread_key AS map_key`;

const SQL = {
  // sessions and the thread map
  sessionById: `
    SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN thread_map m ON m.session_id = s.id
    WHERE s.id = :id`,
  sessionByThread: `
    SELECT ${SESSION_COLUMNS} FROM thread_map m JOIN sessions s ON s.id = m.session_id
    WHERE m.channel = :channel AND m.thread_key = :key`,
  listSessions: `
    SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN thread_map m ON m.session_id = s.id
    WHERE (:channel IS NULL OR s.channel = :channel)
      AND (:agent IS NULL OR s.agent = :agent)
      AND (:userId IS NULL OR s.user_id = :userId)
      AND (:status IS NULL OR s.status = :status)
    ORDER BY s.last_activity_at DESC, s.rowid DESC
    LIMIT :limit OFFSET :offset`,
  insertSession: `
    INSERT INTO sessions (id, agent, channel, user_id, identity, status, created_at, last_activity_at, expires_at)
    VALUES (:id, :agent, :channel, :userId, :identity, 'active', :now, :now, :expiresAt)`,
  /** An accepted message reactivates the session and slides its expiry. */
  slideSession: `
    UPDATE sessions SET status = 'active', last_activity_at = :now, expires_at = :expiresAt WHERE id = :id`,
  touchSession: `UPDATE sessions SET last_activity_at = :now WHERE id = :id`,
  agentState: `SELECT agent_state FROM sessions WHERE id = :id`,
  channelState: `SELECT value FROM channel_state WHERE channel = :channel AND key = :key`,
  setChannelState: `
    INSERT INTO channel_state (channel, key, value, updated_at) VALUES (:channel, :key, :value, :now)
    ON CONFLICT (channel, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  /** Take the lease if it is free, expired, or already ours; `changes` says whether we hold it now. */
  takeLease: `
    INSERT INTO leases (name, holder, expires_at) VALUES (:name, :holder, :expiresAt)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE leases.holder = excluded.holder OR leases.expires_at <= :now`,
  releaseLease: `DELETE FROM leases WHERE name = :name AND holder = :holder`,

  // lanes
  /** Held by us and unexpired: extend under the same token; free or expired: a new token. */
  takeLane: `
    INSERT INTO lanes (session_id, holder, token, expires_at) VALUES (:sessionId, :holder, 1, :expiresAt)
    ON CONFLICT (session_id) DO UPDATE SET
      token = CASE WHEN lanes.holder = excluded.holder AND lanes.expires_at > :now THEN lanes.token ELSE lanes.token + 1 END,
      holder = excluded.holder,
      expires_at = excluded.expires_at
    WHERE lanes.expires_at <= :now OR lanes.holder = excluded.holder
    RETURNING token`,
  /** Still ours if nobody took it since, expired or not: the token would have moved. */
  renewLane: `UPDATE lanes SET expires_at = :expiresAt WHERE session_id = :sessionId AND holder = :holder AND token = :token`,
  releaseLane: `UPDATE lanes SET holder = '', expires_at = 0 WHERE session_id = :sessionId AND holder = :holder AND token = :token`,
  laneOf: `SELECT holder, token FROM lanes WHERE session_id = :sessionId`,
  deleteOrphanLanes: `DELETE FROM lanes WHERE session_id NOT IN (SELECT id FROM sessions)`,
  saveAgentState: `UPDATE sessions SET agent_state = :state WHERE id = :id`,
  insertExposure: `
    INSERT INTO exposures (id, parent_session_id, session_id, agent_id, label, user_id, created_at)
    VALUES (:id, :parentSessionId, :sessionId, :agentId, :label, :userId, :createdAt)
    ON CONFLICT (id) DO NOTHING`,
  exposureById: `SELECT * FROM exposures WHERE id = :id`,
  exposuresByParent: `SELECT * FROM exposures WHERE parent_session_id = :parentSessionId ORDER BY created_at, rowid`,
  endSession: `UPDATE sessions SET status = 'ended' WHERE id = :id`,
  resetSession: `UPDATE sessions SET status = 'ended', last_activity_at = :now WHERE id = :id`,
  mapThread: `
    INSERT INTO thread_map (channel, thread_key, session_id) VALUES (:channel, :key, :sessionId)
    ON CONFLICT (channel, thread_key) DO UPDATE SET session_id = excluded.session_id`,
  unmapSession: `DELETE FROM thread_map WHERE session_id = :id`,
  /** Children (thread map, inbox, transcript, outbox) go by ON DELETE CASCADE. */
  evictExpired: `
    DELETE FROM sessions WHERE id IN (
      SELECT s.id FROM sessions s
      WHERE s.expires_at <= :now
        AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.session_id = s.id AND i.status = 'pending')
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = s.id AND o.status = 'pending')
      ORDER BY s.expires_at
      LIMIT :limit)`,

  // dedupe
  findDedupe: `
    SELECT message_id, session_id FROM dedupe
    WHERE channel = :channel AND event_id = :eventId AND expires_at > :now`,
  /** REPLACE: an expired record for the same event may still be there, waiting for pruneDedupe. */
  putDedupe: `
    INSERT OR REPLACE INTO dedupe (channel, event_id, message_id, session_id, expires_at)
    VALUES (:channel, :eventId, :messageId, :sessionId, :expiresAt)`,
  pruneDedupe: `DELETE FROM dedupe WHERE expires_at <= :now`,

  // inbox
  insertInbox: `
    INSERT INTO inbox (id, session_id, channel, event_id, kind, text, sender, reply_to, attachments, status, attempts, accepted_at)
    VALUES (:id, :sessionId, :channel, :eventId, :kind, :text, :sender, :replyTo, :attachments, 'pending', 0, :now)`,
  /** The newest, in case an eventId came back after its dedupe record expired. */
  inboxByEvent: `
    SELECT * FROM inbox WHERE channel = :channel AND event_id = :eventId ORDER BY seq DESC LIMIT 1`,
  inboxStatus: `SELECT status FROM inbox WHERE id = :id`,
  pendingInbox: `
    SELECT * FROM inbox WHERE session_id = :sessionId AND status = 'pending' ORDER BY seq LIMIT :limit`,
  countPending: `SELECT COUNT(*) AS n FROM inbox WHERE session_id = :sessionId AND status = 'pending'`,
  sessionsWithPending: `
    SELECT session_id FROM inbox WHERE status = 'pending' GROUP BY session_id ORDER BY MIN(seq)`,
  beginAttempt: `UPDATE inbox SET attempts = attempts + 1 WHERE id = :id`,
  completeInbox: `UPDATE inbox SET status = :status, reply = :reply WHERE id = :id AND status = 'pending'`,

  // transcript
  insertTranscript: `
    INSERT INTO transcript (session_id, role, text, at, message_id)
    VALUES (:sessionId, :role, :text, :at, :messageId)`,
  transcript: `SELECT role, text, at, message_id FROM transcript WHERE session_id = :sessionId ORDER BY seq`,

  // outbox
  /** Only the idempotency key may collide; any other constraint failure is a bug and throws. */
  insertOutbox: `
    INSERT INTO outbox (id, key, session_id, channel, to_address, text, edit_of, status, attempts, next_attempt_at, created_at)
    VALUES (:id, :key, :sessionId, :channel, :to, :text, :editOf, 'pending', 0, :now, :now)
    ON CONFLICT (key) DO NOTHING`,
  dueOutbox: `
    SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= :now
    ORDER BY seq LIMIT :limit`,
  /** An item another gateway has claimed is due for us only when its claim runs out. */
  nextOutboxDue: `
    SELECT MIN(MAX(o.next_attempt_at, o.claimed_until)) AS due FROM outbox o
    WHERE o.status = 'pending'
      AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.session_id = o.session_id AND e.status = 'pending' AND e.seq < o.seq)`,
  outboxBySession: `SELECT * FROM outbox WHERE session_id = :sessionId ORDER BY seq`,
  /**
   * Claim due items for one gateway: none that another gateway holds, none of a session
   * another gateway is delivering, and none behind an earlier item of its session that waits for
   * a retry: a session's items go out in order, each once.
   */
  claimDueOutbox: `
    UPDATE outbox SET claimed_by = :holder, claimed_until = :until
    WHERE id IN (
      SELECT o.id FROM outbox o
      WHERE o.status = 'pending' AND o.next_attempt_at <= :now
        AND (o.claimed_until <= :now OR o.claimed_by = :holder)
        AND NOT EXISTS (
          SELECT 1 FROM outbox c
          WHERE c.session_id = o.session_id AND c.status = 'pending' AND c.claimed_until > :now AND c.claimed_by <> :holder)
        AND NOT EXISTS (
          SELECT 1 FROM outbox e
          WHERE e.session_id = o.session_id AND e.status = 'pending' AND e.seq < o.seq AND e.next_attempt_at > :now)
      ORDER BY o.seq LIMIT :limit)
    RETURNING *`,
  renewOutboxClaim: `UPDATE outbox SET claimed_until = :until WHERE id = :id AND claimed_by = :holder AND status = 'pending'`,
  releaseOutboxClaims: `UPDATE outbox SET claimed_until = 0 WHERE claimed_by = :holder AND status = 'pending'`,
  markOutboxSent: `
    UPDATE outbox SET status = 'sent', sent_at = :now, platform_id = :platformId, attempts = attempts + 1, claimed_until = 0
    WHERE id = :id`,
  /** Retry and failure only move pending items: a late report never reopens a sent message. */
  markOutboxRetry: `
    UPDATE outbox SET next_attempt_at = :nextAttemptAt, last_error = :error, attempts = attempts + 1, claimed_until = 0
    WHERE id = :id AND status = 'pending'`,
  markOutboxFailed: `
    UPDATE outbox SET status = 'failed', last_error = :error, attempts = attempts + 1, claimed_until = 0
    WHERE id = :id AND status = 'pending'`,
} as const;

export type Statements = { readonly [K in keyof typeof SQL]: StatementSync };

export function prepareStatements(db: DatabaseSync): Statements {
  const prepared: Partial<Record<keyof typeof SQL, StatementSync>> = {};
  for (const name of Object.keys(SQL) as Array<keyof typeof SQL>) {
    prepared[name] = db.prepare(SQL[name]);
  }
  return prepared as Statements;
}
