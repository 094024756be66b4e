/**
 * The Store contract on one node:sqlite connection. Calls are synchronous underneath; the
 * async signatures are the contract's, so a networked backend can implement the same interface.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type { TranscriptEntry } from "../../core/agent.ts";
import type {
  AcceptInput,
  AcceptOutcome,
  ExposureRecord,
  InboxItem,
  AuditEntry,
  AuditQuery,
  LaneHold,
  OutboxItem,
  PairingInput,
  PairingOutcome,
  PairingRequest,
  SessionQuery,
  SessionRecord,
  Store,
  StoredChannel,
  StoredRecord,
  TurnCommit,
} from "../store.ts";
import { acceptMessage } from "./accept.ts";
import { optionalInt, optionalText, text, toExposure, toInboxItem, toOutboxItem, toSession, toTranscriptEntry } from "./rows.ts";
import { prepareStatements, type Statements } from "./statements.ts";
import { transaction } from "./transaction.ts";
import { SqlitePairing } from "./pairing.ts";
import { SqliteAudit } from "./audit.ts";
import { SqliteBuckets } from "./buckets.ts";
import { SqliteStoredRecords } from "./stored-records.ts";
import { GroupCommit } from "./group-commit.ts";
import type { BucketTake, BucketVerdict } from "../../core/abuse/token-bucket.ts";
import { SqliteSchedules } from "./schedules.ts";
import type { ScheduleClaim, ScheduleClaimOutcome, ScheduleRun, ScheduleRunQuery, ScheduleRunUpdate, ScheduleState } from "../schedules.ts";

const DEFAULT_SESSION_LIMIT = 100;

export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly shared = false;
  readonly #db: DatabaseSync;
  readonly #st: Statements;
  readonly #pairing: SqlitePairing;
  readonly #audit: SqliteAudit;
  readonly #buckets: SqliteBuckets;
  readonly #schedules: SqliteSchedules;
  readonly #storedChannels: SqliteStoredRecords;
  /** Every write goes through here: writes in the same event-loop turn share one COMMIT. */
  readonly #writes: GroupCommit;
  readonly #storedSchedules: SqliteStoredRecords;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#st = prepareStatements(db);
    this.#pairing = new SqlitePairing(db);
    this.#audit = new SqliteAudit(db);
    this.#buckets = new SqliteBuckets(db);
    this.#schedules = new SqliteSchedules(db);
    this.#writes = new GroupCommit(db);
    this.#storedChannels = new SqliteStoredRecords(db, "stored_channels");
    this.#storedSchedules = new SqliteStoredRecords(db, "stored_schedules");
  }

  accept(input: AcceptInput): Promise<AcceptOutcome> {
    return this.#writes.write(() => acceptMessage(this.#db, this.#st, input));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.#st.sessionById.get({ id });
    return row ? toSession(row) : undefined;
  }

  async listSessions(query: SessionQuery = {}): Promise<SessionRecord[]> {
    return this.#st.listSessions
      .all({
        channel: query.channel ?? null,
        agent: query.agent ?? null,
        userId: query.userId ?? null,
        status: query.status ?? null,
        limit: query.limit ?? DEFAULT_SESSION_LIMIT,
        offset: query.offset ?? 0,
      })
      .map(toSession);
  }

  async getTranscript(sessionId: string): Promise<TranscriptEntry[]> {
    return this.#st.transcript.all({ sessionId }).map(toTranscriptEntry);
  }

  resetSession(id: string, now: number): Promise<boolean> {
    return this.#writes.write(() => {
      return transaction(this.#db, () => {
        if (Number(this.#st.resetSession.run({ id, now }).changes) === 0) return false;
        this.#st.unmapSession.run({ id });
        return true;
      });
    });
  }

  evictExpired(now: number, limit: number): Promise<number> {
    return this.#writes.write(() => {
      return transaction(this.#db, () => {
        const evicted = Number(this.#st.evictExpired.run({ now, limit }).changes);
        if (evicted > 0) this.#st.deleteOrphanLanes.run();
        return evicted;
      });
    });
  }

  pruneDedupe(now: number): Promise<number> {
    return this.#writes.write(() => Number(this.#st.pruneDedupe.run({ now }).changes));
  }

  async getMessage(channel: string, eventId: string): Promise<InboxItem | undefined> {
    const row = this.#st.inboxByEvent.get({ channel, eventId });
    return row ? toInboxItem(row) : undefined;
  }

  async getAgentState(sessionId: string): Promise<Record<string, unknown> | undefined> {
    const state = optionalText(this.#st.agentState.get({ id: sessionId }) ?? {}, "agent_state");
    return state === undefined ? undefined : (JSON.parse(state) as Record<string, unknown>);
  }

  async getChannelState(channel: string, key: string): Promise<string | undefined> {
    return optionalText(this.#st.channelState.get({ channel, key }) ?? {}, "value");
  }

  setChannelState(channel: string, key: string, value: string): Promise<void> {
    return this.#writes.write(() => {
      this.#st.setChannelState.run({ channel, key, value, now: Date.now() });
    });
  }

  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.#writes.write(() => {
      const now = Date.now();
      return Number(this.#st.takeLease.run({ name, holder, expiresAt: now + ttlMs, now }).changes) > 0;
    });
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return this.#writes.write(() => {
      this.#st.releaseLease.run({ name, holder });
    });
  }

  acquireLane(sessionId: string, holder: string, ttlMs: number): Promise<number | undefined> {
    return this.#writes.write(() => {
      const now = Date.now();
      const row = this.#st.takeLane.get({ sessionId, holder, expiresAt: now + ttlMs, now });
      return row === undefined ? undefined : Number(row["token"]);
    });
  }

  renewLane(sessionId: string, lane: LaneHold, ttlMs: number): Promise<boolean> {
    return this.#writes.write(() => Number(this.#st.renewLane.run({ sessionId, ...lane, expiresAt: Date.now() + ttlMs }).changes) > 0);
  }

  releaseLane(sessionId: string, lane: LaneHold): Promise<void> {
    return this.#writes.write(() => {
      this.#st.releaseLane.run({ sessionId, ...lane });
    });
  }

  putStoredChannel(id: string, config: string, now: number, expectedVersion?: number): Promise<number | undefined> {
    return this.#writes.write(() => this.#storedChannels.put(id, config, now, expectedVersion));
  }

  async getStoredChannel(id: string): Promise<StoredChannel | undefined> {
    return this.#storedChannels.get(id);
  }

  async listStoredChannels(): Promise<StoredChannel[]> {
    return this.#storedChannels.list();
  }

  deleteStoredChannel(id: string): Promise<boolean> {
    return this.#writes.write(() => this.#storedChannels.remove(id));
  }

  putStoredSchedule(id: string, config: string, now: number, expectedVersion?: number): Promise<number | undefined> {
    return this.#writes.write(() => this.#storedSchedules.put(id, config, now, expectedVersion));
  }

  async getStoredSchedule(id: string): Promise<StoredRecord | undefined> {
    return this.#storedSchedules.get(id);
  }

  async listStoredSchedules(): Promise<StoredRecord[]> {
    return this.#storedSchedules.list();
  }

  deleteStoredSchedule(id: string): Promise<boolean> {
    return this.#writes.write(() => this.#storedSchedules.remove(id));
  }

  takeTokens(key: string, take: BucketTake): Promise<BucketVerdict> {
    return this.#writes.write(() => this.#buckets.take(key, take));
  }

  appendAudit(entries: AuditEntry[]): Promise<void> {
    return this.#writes.write(() => {
      this.#audit.append(entries);
    });
  }

  async listAudit(query?: AuditQuery): Promise<AuditEntry[]> {
    return this.#audit.list(query);
  }

  pruneAudit(before: number): Promise<number> {
    return this.#writes.write(() => this.#audit.prune(before));
  }

  requestPairing(input: PairingInput): Promise<PairingOutcome> {
    return this.#writes.write(() => this.#pairing.request(input));
  }

  approvePairing(channel: string, code: string, now: number): Promise<PairingRequest | undefined> {
    return this.#writes.write(() => this.#pairing.approve(channel, code, now));
  }

  async listPairingRequests(channel: string | undefined, now: number): Promise<PairingRequest[]> {
    return this.#pairing.list(channel, now);
  }

  async isSenderApproved(channel: string, senderId: string): Promise<boolean> {
    return this.#pairing.isApproved(channel, senderId);
  }

  revokeSender(channel: string, senderId: string): Promise<boolean> {
    return this.#writes.write(() => this.#pairing.revoke(channel, senderId));
  }

  saveExposure(record: ExposureRecord): Promise<void> {
    return this.#writes.write(() => {
      this.#st.insertExposure.run({ ...record, label: record.label ?? null });
    });
  }

  async getExposure(id: string): Promise<ExposureRecord | undefined> {
    const row = this.#st.exposureById.get({ id });
    return row ? toExposure(row) : undefined;
  }

  async listExposures(parentSessionId: string): Promise<ExposureRecord[]> {
    return this.#st.exposuresByParent.all({ parentSessionId }).map(toExposure);
  }

  async pendingInbox(sessionId: string, limit: number): Promise<InboxItem[]> {
    return this.#st.pendingInbox.all({ sessionId, limit }).map(toInboxItem);
  }

  async sessionsWithPending(): Promise<string[]> {
    return this.#st.sessionsWithPending.all().map((row) => text(row, "session_id"));
  }

  beginAttempt(messageIds: string[]): Promise<void> {
    return this.#writes.write(() => {
      transaction(this.#db, () => {
        for (const id of messageIds) this.#st.beginAttempt.run({ id });
      });
    });
  }

  completeTurn(commit: TurnCommit): Promise<boolean> {
    return this.#writes.write(() => {
      const st = this.#st;
      return transaction(this.#db, () => {
        // Check the lane and every item before writing anything: a turn that lost a race changes nothing.
        if (commit.lane !== undefined) {
          const lane = st.laneOf.get({ sessionId: commit.sessionId });
          if (!lane || lane["holder"] !== commit.lane.holder || Number(lane["token"]) !== commit.lane.token) return false;
        }
        for (const id of commit.messageIds) {
          const row = st.inboxStatus.get({ id });
          if (!row || text(row, "status") !== "pending") return false;
        }
        for (const id of commit.messageIds) {
          st.completeInbox.run({ id, status: commit.status, reply: commit.reply });
        }
        for (const entry of commit.transcript) {
          st.insertTranscript.run({
            sessionId: commit.sessionId,
            role: entry.role,
            text: entry.text,
            at: entry.at,
            messageId: entry.messageId ?? null,
          });
        }
        for (const draft of commit.outbox) {
          st.insertOutbox.run({
            id: randomUUID(),
            key: draft.key,
            sessionId: commit.sessionId,
            channel: draft.channel,
            to: JSON.stringify(draft.to),
            text: draft.text,
            editOf: draft.editOf ?? null,
            now: commit.now,
          });
        }
        st.touchSession.run({ id: commit.sessionId, now: commit.now });
        if (commit.agentState !== undefined) st.saveAgentState.run({ id: commit.sessionId, state: JSON.stringify(commit.agentState) });
        return true;
      });
    });
  }

  claimDueOutbox(holder: string, now: number, limit: number, claimMs: number): Promise<OutboxItem[]> {
    return this.#writes.write(() => {
      // RETURNING gives no order: put them back in arrival order.
      return this.#st.claimDueOutbox
        .all({ holder, now, until: now + claimMs, limit })
        .sort((a, b) => Number(a["seq"]) - Number(b["seq"]))
        .map(toOutboxItem);
    });
  }

  renewOutboxClaims(holder: string, ids: string[], until: number): Promise<void> {
    return this.#writes.write(() => {
      for (const id of ids) this.#st.renewOutboxClaim.run({ holder, id, until });
    });
  }

  releaseOutboxClaims(holder: string): Promise<void> {
    return this.#writes.write(() => {
      this.#st.releaseOutboxClaims.run({ holder });
    });
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxItem[]> {
    return this.#st.dueOutbox.all({ now, limit }).map(toOutboxItem);
  }

  async nextOutboxDue(): Promise<number | undefined> {
    const row = this.#st.nextOutboxDue.get();
    return row ? optionalInt(row, "due") : undefined;
  }

  async listOutbox(sessionId: string): Promise<OutboxItem[]> {
    return this.#st.outboxBySession.all({ sessionId }).map(toOutboxItem);
  }

  markOutboxSent(id: string, now: number, platformId?: string): Promise<void> {
    return this.#writes.write(() => {
      this.#st.markOutboxSent.run({ id, now, platformId: platformId ?? null });
    });
  }

  markOutboxRetry(id: string, nextAttemptAt: number, error: string): Promise<void> {
    return this.#writes.write(() => {
      this.#st.markOutboxRetry.run({ id, nextAttemptAt, error });
    });
  }

  markOutboxFailed(id: string, error: string): Promise<void> {
    return this.#writes.write(() => {
      this.#st.markOutboxFailed.run({ id, error });
    });
  }

  claimScheduleRun(claim: ScheduleClaim): Promise<ScheduleClaimOutcome> {
    return this.#writes.write(() => this.#schedules.claim(claim));
  }

  renewScheduleRun(schedule: string, slot: string, holder: string, until: number): Promise<boolean> {
    return this.#writes.write(() => this.#schedules.renew(schedule, slot, holder, until));
  }

  updateScheduleRun(update: ScheduleRunUpdate): Promise<boolean> {
    return this.#writes.write(() => this.#schedules.update(update));
  }

  queueScheduleRun(schedule: string, slot: string, now: number): Promise<boolean> {
    return this.#writes.write(() => this.#schedules.queue(schedule, slot, now));
  }

  async listScheduleRuns(query?: ScheduleRunQuery): Promise<ScheduleRun[]> {
    return this.#schedules.list(query);
  }

  pruneScheduleRuns(before: number): Promise<number> {
    return this.#writes.write(() => this.#schedules.prune(before));
  }

  async getScheduleState(schedule: string): Promise<ScheduleState | undefined> {
    return this.#schedules.state(schedule);
  }

  initScheduleState(schedule: string, cursor: number): Promise<ScheduleState> {
    return this.#writes.write(() => this.#schedules.initState(schedule, cursor));
  }

  setSchedulePaused(schedule: string, paused: boolean, now: number): Promise<ScheduleState> {
    return this.#writes.write(() => this.#schedules.setPaused(schedule, paused, now));
  }

  async close(): Promise<void> {
    await this.#writes.drain();
    if (this.#db.isOpen) this.#db.close();
  }
}
