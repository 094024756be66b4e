/**
 * The Store contract on Redis. Every write that touches more than one key is one Lua script
 * (scripts/*), so it is atomic: Redis runs a script to the end before any other command.
 *
 * Keys (see keys.ts; S = `{s:<session id>}`, a hash tag):
 * - per session: `S` (record, thread key, agent state), `S:pending` (pending inbox ids by seq),
 *   `S:msgs`, `S:m:<id>` (inbox items), `S:transcript`, `S:outbox` / `S:outpending` (ids by seq),
 *   `S:o:<id>` (outbox items), `S:exposures`, `S:exprefs`, `S:lane` and `S:fence` (the lane's
 *   holder and fencing token, scripts/lanes.ts);
 * - store-wide: `seq` (INCR: arrival order of inbox and outbox items, session rowids), `sessions`
 *   (by last activity), `expiry`, `pending` (sessions by oldest pending seq), `msgs` and
 *   `outsessions` (id → session), `outkeys` (idempotency key → outbox id), `due` (pending outbox
 *   by seq), `event:<channel>:<eventId>`, `dedupe:<channel>:<eventId>` (TTL) and its index
 *   `dedupes`, `thread:<channel>:<key>` (TTL), `exposure:<id>`, `channel:<channel>`, `lease:<name>`,
 *   `bucket:<key>` (a rate-limit token bucket, TTL until it is full again; scripts/buckets.ts),
 *   `storedchannels`, `storedschedules` (definitions created through the API, CLI or MCP; stored-records.ts).
 *   `sched:<name>…` and `schednames` (schedule runs and state; schedules.ts).
 *
 * Which scripts touch which keys: accept (dedupe record, thread key, one or two sessions, inbox,
 * the global indexes), completeTurn (inbox items of the commit, transcript, outbox, session,
 * indexes), claims and outbox marks (`due`, items of every pending session), eviction (a session's
 * keys and the indexes). Scripts build keys from ids they read, so they span slots: run on a
 * standalone Redis (or Sentinel), or on Cluster with a prefix holding a hash tag (`{sb}:`), which
 * puts the whole store in one slot; the per-session tags then matter only without one.
 *
 * Timestamps are the caller's (`now`), never Redis TIME, as in the sqlite store. Only the TTLs
 * on dedupe and thread keys and leases run on Redis's clock; they are clean-up, the stored
 * expiry times decide.
 */
import { randomUUID } from "node:crypto";
import type { RedisClient } from "./connect.ts";
import type { TranscriptEntry } from "../../core/agent.ts";
import type {
  AcceptInput, AcceptOutcome, AuditEntry, AuditQuery, StoredChannel, StoredRecord, ExposureRecord, InboxItem, LaneHold, OutboxItem, PairingInput, PairingOutcome, PairingRequest, SessionQuery,
  SessionRecord, Store, TurnCommit,
} from "../store.ts";
import {
  decodeTranscriptEntry, encodeTranscriptEntry, exposureFields, isEmpty, pairsToHash, toExposure, toInboxItem,
  toOutboxItem, toSession, type Hash,
} from "./codec.ts";
import { RedisKeys } from "./keys.ts";
import { runScript, type LuaScript } from "./script.ts";
import { ACCEPT } from "./scripts/accept.ts";
import {
  CLAIM_DUE_OUTBOX, DUE_OUTBOX, MARK_OUTBOX_FAILED, MARK_OUTBOX_RETRY, MARK_OUTBOX_SENT, NEXT_OUTBOX_DUE,
  RELEASE_OUTBOX_CLAIMS, RENEW_OUTBOX_CLAIMS,
} from "./scripts/outbox.ts";
import { ACQUIRE_LEASE, EVICT_EXPIRED, PRUNE_DEDUPE, RELEASE_LEASE, RESET_SESSION, SAVE_EXPOSURE } from "./scripts/sessions.ts";
import { BEGIN_ATTEMPT, COMPLETE_TURN } from "./scripts/turn.ts";
import { ACQUIRE_LANE, RELEASE_LANE, RENEW_LANE } from "./scripts/lanes.ts";
import { TAKE_TOKENS } from "./scripts/buckets.ts";
import type { BucketTake, BucketVerdict } from "../../core/abuse/token-bucket.ts";
import { RedisSharedEvents } from "./shared-events.ts";
import { RedisPairing } from "./pairing.ts";
import { RedisAudit } from "./audit.ts";
import { RedisStoredRecords } from "./stored-records.ts";
import { RedisSchedules } from "./schedules.ts";
import type { ScheduleClaim, ScheduleClaimOutcome, ScheduleRun, ScheduleRunQuery, ScheduleRunUpdate, ScheduleState } from "../schedules.ts";

const DEFAULT_SESSION_LIMIT = 100;
const LIST_BATCH = 200;
const PRUNE_BATCH = 500;
/**
 * A thread key outlives its session's TTL by a day: a message after a long idle still finds the
 * session it replaces (and ends it); after that the map entry goes by itself.
 */
const THREAD_GRACE_MS = 24 * 60 * 60 * 1000;

/** Redis TTLs are positive whole milliseconds. */
const ttl = (ms: number): number => Math.max(1, Math.ceil(ms));

export class RedisStore implements Store {
  readonly kind = "redis";
  readonly shared = true;
  readonly sharedEvents: RedisSharedEvents;
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys;
  readonly #pairing: RedisPairing;
  readonly #audit: RedisAudit;
  readonly #storedChannels: RedisStoredRecords;
  readonly #storedSchedules: RedisStoredRecords;
  readonly #schedules: RedisSchedules;
  #closed = false;

  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#keys = new RedisKeys(prefix);
    this.sharedEvents = new RedisSharedEvents(redis, `${prefix}events`);
    this.#pairing = new RedisPairing(redis, prefix);
    this.#audit = new RedisAudit(redis, prefix);
    this.#storedChannels = new RedisStoredRecords(redis, prefix, "channels");
    this.#storedSchedules = new RedisStoredRecords(redis, prefix, "schedules");
    this.#schedules = new RedisSchedules(redis, prefix);
  }

  #run(script: LuaScript, ...args: Array<string | number>): Promise<unknown> {
    return runScript(this.#redis, script, this.#keys.prefix, args);
  }

  /** HGETALL of each key in one round trip; missing keys are left out. */
  async #hashes(keys: string[]): Promise<Hash[]> {
    if (keys.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, hash]) => {
      if (error) throw error;
      return hash as Hash;
    }).filter((hash) => !isEmpty(hash));
  }

  async accept(input: AcceptInput): Promise<AcceptOutcome> {
    const { session, item } = input;
    const args = {
      channel: input.channel,
      eventId: input.eventId,
      now: String(input.now),
      dedupeExpiresAt: String(input.now + input.dedupeTtlMs),
      dedupeTtlMs: String(ttl(input.dedupeTtlMs)),
      agent: session.agent,
      expiresAt: String(input.now + session.ttlMs),
      threadTtlMs: String(ttl(session.ttlMs + THREAD_GRACE_MS)),
      thread: session.existingId === undefined ? session.threadKey : undefined,
      existingId: session.existingId,
      fresh: session.fresh ? "1" : undefined,
      newId: randomUUID(),
      messageId: randomUUID(),
      kind: item.kind,
      text: item.text,
      userId: item.sender.id,
      identity: item.sender.identity,
      sender: JSON.stringify(item.sender),
      replyTo: JSON.stringify(item.replyTo),
      attachments: item.attachments?.length ? JSON.stringify(item.attachments) : undefined,
      maxPending: String(input.maxPendingPerSession),
    };
    const reply = (await this.#run(ACCEPT, JSON.stringify(args))) as string[];
    const [status, first = "", second = "", fresh] = reply;
    if (status === "duplicate") return { status, messageId: first, sessionId: second };
    if (status === "rejected") return { status, reason: "queue_full", sessionId: first };
    return { status: "accepted", messageId: first, sessionId: second, newSession: fresh === "1" };
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const hash = await this.#redis.hgetall(this.#keys.session(id));
    return isEmpty(hash) ? undefined : toSession(hash);
  }

  /** Walks the activity index newest first, filtering as it goes, until the page is full. */
  async listSessions(query: SessionQuery = {}): Promise<SessionRecord[]> {
    const limit = query.limit ?? DEFAULT_SESSION_LIMIT;
    let skip = query.offset ?? 0;
    const found: SessionRecord[] = [];
    if (limit === 0) return found;
    for (let start = 0; ; start += LIST_BATCH) {
      const members = await this.#redis.zrevrange(this.#keys.sessions, start, start + LIST_BATCH - 1);
      const hashes = await this.#hashes(members.map((member) => this.#keys.session(member.slice(member.indexOf("|") + 1))));
      for (const session of hashes.map(toSession)) {
        if (query.channel !== undefined && session.channel !== query.channel) continue;
        if (query.agent !== undefined && session.agent !== query.agent) continue;
        if (query.userId !== undefined && session.userId !== query.userId) continue;
        if (query.status !== undefined && session.status !== query.status) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        found.push(session);
        if (limit > 0 && found.length >= limit) return found;
      }
      if (members.length < LIST_BATCH) return found;
    }
  }

  async getTranscript(sessionId: string): Promise<TranscriptEntry[]> {
    return (await this.#redis.lrange(this.#keys.transcript(sessionId), 0, -1)).map(decodeTranscriptEntry);
  }

  async resetSession(id: string, now: number): Promise<boolean> {
    return (await this.#run(RESET_SESSION, id, now)) === 1;
  }

  async evictExpired(now: number, limit: number): Promise<number> {
    return Number(await this.#run(EVICT_EXPIRED, now, limit));
  }

  async pruneDedupe(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const pruned = Number(await this.#run(PRUNE_DEDUPE, now, PRUNE_BATCH));
      total += pruned;
      if (pruned < PRUNE_BATCH) return total;
    }
  }

  async getAgentState(sessionId: string): Promise<Record<string, unknown> | undefined> {
    const state = await this.#redis.hget(this.#keys.session(sessionId), "agentState");
    return state === null ? undefined : (JSON.parse(state) as Record<string, unknown>);
  }

  async saveExposure(record: ExposureRecord): Promise<void> {
    await this.#run(SAVE_EXPOSURE, record.id, record.parentSessionId, record.sessionId, ...exposureFields(record));
  }

  async getExposure(id: string): Promise<ExposureRecord | undefined> {
    const hash = await this.#redis.hgetall(this.#keys.exposure(id));
    return isEmpty(hash) ? undefined : toExposure(hash);
  }

  async listExposures(parentSessionId: string): Promise<ExposureRecord[]> {
    const ids = await this.#redis.lrange(this.#keys.exposures(parentSessionId), 0, -1);
    const records = (await this.#hashes(ids.map((id) => this.#keys.exposure(id)))).map(toExposure);
    // Stored in insertion order; sort is stable, so equal times keep it (sqlite: created_at, rowid).
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  async getChannelState(channel: string, key: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#keys.channelState(channel), key)) ?? undefined;
  }

  async setChannelState(channel: string, key: string, value: string): Promise<void> {
    await this.#redis.hset(this.#keys.channelState(channel), key, value);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.#run(ACQUIRE_LEASE, name, holder, ttl(ttlMs))) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#run(RELEASE_LEASE, name, holder);
  }

  async acquireLane(sessionId: string, holder: string, ttlMs: number): Promise<number | undefined> {
    const token = Number(await this.#run(ACQUIRE_LANE, sessionId, holder, ttl(ttlMs)));
    return token > 0 ? token : undefined;
  }

  async renewLane(sessionId: string, lane: LaneHold, ttlMs: number): Promise<boolean> {
    return (await this.#run(RENEW_LANE, sessionId, lane.holder, lane.token, ttl(ttlMs))) === 1;
  }

  async releaseLane(sessionId: string, lane: LaneHold): Promise<void> {
    await this.#run(RELEASE_LANE, sessionId, lane.holder, lane.token);
  }

  async putStoredChannel(id: string, config: string, now: number, expectedVersion?: number): Promise<number | undefined> {
    return this.#storedChannels.put(id, config, now, expectedVersion);
  }

  async getStoredChannel(id: string): Promise<StoredChannel | undefined> {
    return this.#storedChannels.get(id);
  }

  async listStoredChannels(): Promise<StoredChannel[]> {
    return this.#storedChannels.list();
  }

  async deleteStoredChannel(id: string): Promise<boolean> {
    return this.#storedChannels.remove(id);
  }

  async putStoredSchedule(id: string, config: string, now: number, expectedVersion?: number): Promise<number | undefined> {
    return this.#storedSchedules.put(id, config, now, expectedVersion);
  }

  async getStoredSchedule(id: string): Promise<StoredRecord | undefined> {
    return this.#storedSchedules.get(id);
  }

  async listStoredSchedules(): Promise<StoredRecord[]> {
    return this.#storedSchedules.list();
  }

  async deleteStoredSchedule(id: string): Promise<boolean> {
    return this.#storedSchedules.remove(id);
  }

  async appendAudit(entries: AuditEntry[]): Promise<void> {
    await this.#audit.append(entries);
  }

  async listAudit(query?: AuditQuery): Promise<AuditEntry[]> {
    return this.#audit.list(query);
  }

  async pruneAudit(before: number): Promise<number> {
    return this.#audit.prune(before);
  }

  async requestPairing(input: PairingInput): Promise<PairingOutcome> {
    return this.#pairing.request(input);
  }

  async approvePairing(channel: string, code: string, now: number): Promise<PairingRequest | undefined> {
    return this.#pairing.approve(channel, code, now);
  }

  async listPairingRequests(channel: string | undefined, now: number): Promise<PairingRequest[]> {
    return this.#pairing.list(channel, now);
  }

  async isSenderApproved(channel: string, senderId: string): Promise<boolean> {
    return this.#pairing.isApproved(channel, senderId);
  }

  async revokeSender(channel: string, senderId: string): Promise<boolean> {
    return this.#pairing.revoke(channel, senderId);
  }

  async takeTokens(key: string, take: BucketTake): Promise<BucketVerdict> {
    const reply = (await this.#run(TAKE_TOKENS, key, take.capacity, take.refillPerSecond, take.cost, take.now, take.cooldownMs ?? 0)) as number[];
    return { allowed: reply[0] === 1, retryAfterMs: Number(reply[1]), tripped: reply[2] === 1 };
  }

  async getMessage(channel: string, eventId: string): Promise<InboxItem | undefined> {
    const [messageId] = await this.#redis.zrange(this.#keys.event(channel, eventId), -1, -1);
    if (messageId === undefined) return undefined;
    const sessionId = await this.#redis.hget(this.#keys.messages, messageId);
    if (sessionId === null) return undefined;
    const hash = await this.#redis.hgetall(this.#keys.message(sessionId, messageId));
    return isEmpty(hash) ? undefined : toInboxItem(hash);
  }

  async pendingInbox(sessionId: string, limit: number): Promise<InboxItem[]> {
    if (limit === 0) return [];
    const ids = await this.#redis.zrange(this.#keys.pending(sessionId), 0, limit < 0 ? -1 : limit - 1);
    return (await this.#hashes(ids.map((id) => this.#keys.message(sessionId, id)))).map(toInboxItem);
  }

  async sessionsWithPending(): Promise<string[]> {
    return this.#redis.zrange(this.#keys.pendingSessions, 0, -1);
  }

  async beginAttempt(messageIds: string[]): Promise<void> {
    if (messageIds.length > 0) await this.#run(BEGIN_ATTEMPT, ...messageIds);
  }

  async completeTurn(commit: TurnCommit): Promise<boolean> {
    const args = {
      sessionId: commit.sessionId,
      messageIds: commit.messageIds,
      status: commit.status,
      reply: commit.reply,
      now: String(commit.now),
      agentState: commit.agentState === undefined ? undefined : JSON.stringify(commit.agentState),
      transcript: commit.transcript.map(encodeTranscriptEntry),
      outbox: commit.outbox.map((draft) => ({
        id: randomUUID(),
        key: draft.key,
        channel: draft.channel,
        to: JSON.stringify(draft.to),
        text: draft.text,
        editOf: draft.editOf,
      })),
      lane: commit.lane,
    };
    // cjson reads `null` as a sentinel, so absent fields are left out (JSON.stringify does that).
    return (await this.#run(COMPLETE_TURN, JSON.stringify(args))) === 1;
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxItem[]> {
    return this.#outboxReply(await this.#run(DUE_OUTBOX, now, limit));
  }

  async claimDueOutbox(holder: string, now: number, limit: number, claimMs: number): Promise<OutboxItem[]> {
    return this.#outboxReply(await this.#run(CLAIM_DUE_OUTBOX, holder, now, now + claimMs, limit));
  }

  #outboxReply(reply: unknown): OutboxItem[] {
    return (Array.isArray(reply) ? reply : []).map((item) => toOutboxItem(pairsToHash(item)));
  }

  async renewOutboxClaims(holder: string, ids: string[], until: number): Promise<void> {
    if (ids.length > 0) await this.#run(RENEW_OUTBOX_CLAIMS, holder, until, ...ids);
  }

  async releaseOutboxClaims(holder: string): Promise<void> {
    await this.#run(RELEASE_OUTBOX_CLAIMS, holder);
  }

  async nextOutboxDue(): Promise<number | undefined> {
    const due = await this.#run(NEXT_OUTBOX_DUE);
    return due === null ? undefined : Number(due);
  }

  async listOutbox(sessionId: string): Promise<OutboxItem[]> {
    const ids = await this.#redis.zrange(this.#keys.outbox(sessionId), 0, -1);
    return (await this.#hashes(ids.map((id) => this.#keys.outboxItem(sessionId, id)))).map(toOutboxItem);
  }

  async markOutboxSent(id: string, now: number, platformId?: string): Promise<void> {
    await this.#run(MARK_OUTBOX_SENT, id, now, platformId === undefined ? "0" : "1", platformId ?? "");
  }

  async markOutboxRetry(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.#run(MARK_OUTBOX_RETRY, id, nextAttemptAt, error);
  }

  async markOutboxFailed(id: string, error: string): Promise<void> {
    await this.#run(MARK_OUTBOX_FAILED, id, error);
  }

  async claimScheduleRun(claim: ScheduleClaim): Promise<ScheduleClaimOutcome> {
    return this.#schedules.claim(claim);
  }

  async renewScheduleRun(schedule: string, slot: string, holder: string, until: number): Promise<boolean> {
    return this.#schedules.renew(schedule, slot, holder, until);
  }

  async updateScheduleRun(update: ScheduleRunUpdate): Promise<boolean> {
    return this.#schedules.update(update);
  }

  async queueScheduleRun(schedule: string, slot: string, now: number): Promise<boolean> {
    return this.#schedules.queue(schedule, slot, now);
  }

  async listScheduleRuns(query?: ScheduleRunQuery): Promise<ScheduleRun[]> {
    return this.#schedules.list(query);
  }

  async pruneScheduleRuns(before: number): Promise<number> {
    return this.#schedules.prune(before);
  }

  async getScheduleState(schedule: string): Promise<ScheduleState | undefined> {
    return this.#schedules.state(schedule);
  }

  async initScheduleState(schedule: string, cursor: number): Promise<ScheduleState> {
    return this.#schedules.initState(schedule, cursor);
  }

  async setSchedulePaused(schedule: string, paused: boolean, now: number): Promise<ScheduleState> {
    return this.#schedules.setPaused(schedule, paused, now);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.sharedEvents.close();
    await this.#redis.quit();
  }
}

