/**
 * The Store contract: everything the pipeline keeps durably. The core depends on this interface
 * only, never on a backend. Every method that changes more than one record is atomic, so that a
 * crash between any two calls leaves a state the gateway can resume from. Backends: sqlite/
 * (embedded default); redis/ later. test/store/contract.ts is the suite every backend passes.
 */
import type { Attachment, Sender } from "../core/envelope.ts";
import type { Address } from "../core/channel.ts";
import type { TranscriptEntry } from "../core/agent.ts";
import type { BucketTake, BucketVerdict } from "../core/abuse/token-bucket.ts";
import type { ScheduleStore } from "./schedules.ts";

export type * from "./schedules.ts";

export interface SessionRecord {
  id: string;
  agent: string;
  /** Channel the session was opened from. */
  channel: string;
  /** The sender who opened it (their platform id); who owns the session. */
  userId: string;
  /** The gateway user that sender is linked to (`identityLinks`): whom the session runs as. */
  identity: string | undefined;
  /** The thread-map key that points here, while it still does. */
  threadKey: ThreadKey | undefined;
  status: "active" | "ended";
  createdAt: number;
  lastActivityAt: number;
  /** Sliding: every accepted message moves it to now + ttl. */
  expiresAt: number;
}

/** Key of the thread→session map; unique on (channel, key). `singleton` uses channel `*`. */
export interface ThreadKey {
  channel: string;
  key: string;
}

export type InboxKind = "message" | "reset";
export type InboxStatus = "pending" | "done" | "failed" | "interrupted";

export interface InboxItem {
  id: string;
  sessionId: string;
  /** Store-wide arrival order; a session's items run in ascending seq. */
  seq: number;
  channel: string;
  eventId: string;
  kind: InboxKind;
  /** The text the agent sees: the route's instruction already prepended. */
  text: string;
  sender: Sender;
  replyTo: Address;
  /** Files that came with the message, as metadata (names, types, URLs; never credentials). */
  attachments?: Attachment[];
  status: InboxStatus;
  /** Turns started on this item; a crash mid-turn leaves it pending with attempts > 0. */
  attempts: number;
  acceptedAt: number;
  /** Set on completion: what the user was answered. */
  reply: string | undefined;
}

export interface AcceptInput {
  channel: string;
  eventId: string;
  now: number;
  /** How long the dedupe record outlives the message. */
  dedupeTtlMs: number;
  session: {
    agent: string;
    /** Sliding session TTL. */
    ttlMs: number;
    /** Map lookup key; absent when `existingId` names the session. */
    threadKey?: ThreadKey;
    /** The `existing` strategy: continue (or open) this session id. */
    existingId?: string;
    /** `/new` and `/reset`: start a fresh session for the thread key. */
    fresh?: boolean;
  };
  item: { kind: InboxKind; text: string; sender: Sender; replyTo: Address; attachments?: Attachment[] };
  /** Pending items a session may hold; beyond it the message is rejected, never silently dropped. */
  maxPendingPerSession: number;
}

export type AcceptOutcome =
  | { status: "accepted"; messageId: string; sessionId: string; newSession: boolean }
  | { status: "duplicate"; messageId: string; sessionId: string }
  | { status: "rejected"; reason: "queue_full"; sessionId: string };

export interface OutboxDraft {
  /** Idempotency key, `turnId:seq`; a second insert with the same key is ignored. */
  key: string;
  channel: string;
  to: Address;
  text: string;
  /** Replace this platform message (a streaming placeholder) instead of posting a new one. */
  editOf?: string;
}

export interface OutboxItem extends OutboxDraft {
  id: string;
  sessionId: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  nextAttemptAt: number;
  lastError: string | undefined;
  platformId: string | undefined;
  createdAt: number;
  sentAt: number | undefined;
}

export interface TurnCommit {
  sessionId: string;
  /** The agent's own per-session state (a CLI's session id, an A2A context); undefined keeps it. */
  agentState?: Record<string, unknown>;
  messageIds: string[];
  status: Exclude<InboxStatus, "pending">;
  /** Stored as each item's `reply`. */
  reply: string;
  transcript: TranscriptEntry[];
  outbox: OutboxDraft[];
  now: number;
  /**
   * The lane the turn ran under. When given, the commit happens only if that lane was not taken
   * over since (fencing): a gateway that froze past its lease cannot commit a stale turn.
   */
  lane?: LaneHold;
}

/** A gateway's hold on a session's lane: who holds it, under which fencing token. */
export interface LaneHold {
  holder: string;
  token: number;
}

/** A sub-agent session an agent exposed to its user, who may then talk to it directly. */
export interface ExposureRecord {
  /** The handle clients use: `POST /v1/subagents/:id/messages`. */
  id: string;
  parentSessionId: string;
  sessionId: string;
  agentId: string;
  label: string | undefined;
  /** Only this user may talk to the sub-agent. */
  userId: string;
  createdAt: number;
}

/** An unknown sender's request to talk to a channel's agents, waiting for an admin's approval. */
export interface PairingRequest {
  channel: string;
  /** The one-time code the sender was given, and the admin approves. */
  code: string;
  senderId: string;
  senderName: string | undefined;
  createdAt: number;
  expiresAt: number;
}

export interface PairingInput {
  channel: string;
  senderId: string;
  senderName?: string;
  /** A fresh code, used if the sender has no pending request yet. */
  code: string;
  now: number;
  ttlMs: number;
  /** Pending requests a channel may hold; beyond it new senders get no code. */
  maxPending: number;
}

export type PairingOutcome =
  | { status: "issued" | "pending"; request: PairingRequest }
  | { status: "full" }
  /** The code is already another sender's (a one-in-a-trillion clash): try another. */
  | { status: "taken" };

/** One line of the audit log: who did what, when, and why. */
export interface AuditEntry {
  at: number;
  /** accepted, rejected, pairing.requested, pairing.approved, pairing.revoked, key.rotated, secrets.rotated, … */
  kind: string;
  channel?: string;
  /** Who acted: a sender id, or `admin:cli` / `admin:api`. */
  actor?: string;
  /** Whom it concerns, when not the actor (the sender an admin approved). */
  subject?: string;
  sessionId?: string;
  /** Why, for refusals; never message text. */
  reason?: string;
}

export interface AuditQuery {
  channel?: string;
  kind?: string;
  /** Only entries at or after this time. */
  since?: number;
  /** Newest first; 100 unless set. */
  limit?: number;
}

export interface SessionQuery {
  channel?: string;
  agent?: string;
  userId?: string;
  status?: SessionRecord["status"];
  limit?: number;
  offset?: number;
}

/**
 * A definition created through the API, the CLI or an agent rather than the YAML (a channel, a
 * schedule): its config as JSON (a channel's secrets as encrypted envelopes). `version` grows with
 * each write, for compare-and-set.
 */
export interface StoredRecord {
  id: string;
  config: string;
  version: number;
  updatedAt: number;
}

export type StoredChannel = StoredRecord;

/**
 * A best-effort broadcast between the gateways sharing a store (not durable: what matters is
 * also in the store). Gateways use it to follow turns that run on another gateway.
 */
export interface SharedEvents {
  publish(payload: string): Promise<void>;
  subscribe(onMessage: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** Schedule runs and state are declared in schedules.ts (`ScheduleStore`). */
export interface Store extends ScheduleStore {
  readonly kind: string;
  /** Whether several gateways may share this store; then each session's lane is leased in it. */
  readonly shared: boolean;
  /** On a shared store: the broadcast between its gateways. */
  readonly sharedEvents?: SharedEvents;

  /** Dedupe, resolve the session and append to its inbox, in one transaction. */
  accept(input: AcceptInput): Promise<AcceptOutcome>;

  getSession(id: string): Promise<SessionRecord | undefined>;
  listSessions(query?: SessionQuery): Promise<SessionRecord[]>;
  getTranscript(sessionId: string): Promise<TranscriptEntry[]>;
  /** End a session and unmap its thread key, so the next message opens a fresh one. */
  resetSession(id: string, now: number): Promise<boolean>;
  /** Delete sessions idle past their TTL with no pending work; returns how many went. */
  evictExpired(now: number, limit: number): Promise<number>;
  pruneDedupe(now: number): Promise<number>;

  /** The agent state the session's last committed turn saved. */
  getAgentState(sessionId: string): Promise<Record<string, unknown> | undefined>;

  /** Record an exposure; saving the same id again changes nothing. Evicted with its session. */
  saveExposure(record: ExposureRecord): Promise<void>;
  getExposure(id: string): Promise<ExposureRecord | undefined>;
  listExposures(parentSessionId: string): Promise<ExposureRecord[]>;

  /** A channel's own durable state, such as a mailbox or poll checkpoint. */
  getChannelState(channel: string, key: string): Promise<string | undefined>;
  setChannelState(channel: string, key: string, value: string): Promise<void>;

  /**
   * A named lease shared by every gateway on this store, for work only one may do at a time (a
   * Telegram long poll). Taken if free, expired or already `holder`'s, for `ttlMs` from now;
   * false while another holder has it. Renew by acquiring again before it expires.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Give the lease up early (a clean shutdown); a lease held by another is left alone. */
  releaseLease(name: string, holder: string): Promise<void>;

  /**
   * Take the session's lane for `ttlMs`, so that one gateway at a time runs its turns. A lane
   * `holder` still holds is extended under the same token; a free or expired one is taken under a
   * new token, larger than any before it. Returns the token, or undefined while another gateway
   * holds the lane.
   */
  acquireLane(sessionId: string, holder: string, ttlMs: number): Promise<number | undefined>;
  /** Extend a held lane; false if it was taken over after expiring (the holder must stop). */
  renewLane(sessionId: string, lane: LaneHold, ttlMs: number): Promise<boolean>;
  /** Give the lane up; a lane since taken over is left alone. */
  releaseLane(sessionId: string, lane: LaneHold): Promise<void>;

  /**
   * Take `take.cost` tokens from the token bucket named `key` (rate limits, the loop guard), in one
   * atomic step: gateways sharing the store share the bucket. A bucket that is full again and out
   * of its cooldown is forgotten, so idle senders cost nothing.
   */
  takeTokens(key: string, take: BucketTake): Promise<BucketVerdict>;

  /**
   * Pairing, for the `pairing` access policy. An unknown sender gets a request with a code (or
   * their pending one back); expired requests are dropped first, and a channel holds at most
   * `maxPending` of them.
   */
  requestPairing(input: PairingInput): Promise<PairingOutcome>;
  /** Approve the request with this code: its sender may talk from now on. Undefined if unknown or expired. */
  approvePairing(channel: string, code: string, now: number): Promise<PairingRequest | undefined>;
  /** Pending, unexpired requests of one channel (or all), oldest first. */
  listPairingRequests(channel: string | undefined, now: number): Promise<PairingRequest[]>;
  isSenderApproved(channel: string, senderId: string): Promise<boolean>;
  /** Withdraw an approval; false if the sender was not approved. */
  revokeSender(channel: string, senderId: string): Promise<boolean>;

  /**
   * Write a stored channel if its version is still `expectedVersion` (0: it must not exist yet;
   * undefined: whatever it is). Returns the new version, or undefined when the check failed.
   */
  putStoredChannel(id: string, config: string, now: number, expectedVersion?: number): Promise<number | undefined>;
  getStoredChannel(id: string): Promise<StoredChannel | undefined>;
  /** Every stored channel, by id. */
  listStoredChannels(): Promise<StoredChannel[]>;
  deleteStoredChannel(id: string): Promise<boolean>;
  /** Schedules made through the API or by agents (MCP), the same way. */
  putStoredSchedule(id: string, config: string, now: number, expectedVersion?: number): Promise<number | undefined>;
  getStoredSchedule(id: string): Promise<StoredRecord | undefined>;
  listStoredSchedules(): Promise<StoredRecord[]>;
  deleteStoredSchedule(id: string): Promise<boolean>;

  /** Append audit entries (a batch, in one write). */
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** Audit entries, newest first. */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Delete entries older than `before`; returns how many went. */
  pruneAudit(before: number): Promise<number>;

  getMessage(channel: string, eventId: string): Promise<InboxItem | undefined>;
  /** Pending items of one session, in arrival order. */
  pendingInbox(sessionId: string, limit: number): Promise<InboxItem[]>;
  /** Sessions with pending items, oldest first: what a restart resumes. */
  sessionsWithPending(): Promise<string[]>;
  /** Count one more attempt on each item before its turn runs. */
  beginAttempt(messageIds: string[]): Promise<void>;
  /**
   * Complete a turn atomically: items leave pending, the transcript grows and the outbox items
   * are recorded. Returns false (and changes nothing) if any item was no longer pending, or if
   * the commit names a lane that has since been taken over.
   */
  completeTurn(commit: TurnCommit): Promise<boolean>;

  /** Pending outbox items whose next attempt is due, in creation order (a session's replies stay in order). */
  dueOutbox(now: number, limit: number): Promise<OutboxItem[]>;
  /**
   * Due items for one gateway (`holder`) to deliver, claimed for `claimMs`: gateways sharing the
   * store never deliver the same item, nor items of a session another one is delivering. In
   * order. Sending, retrying or failing an item ends its claim; a dead gateway's claims expire.
   */
  claimDueOutbox(holder: string, now: number, limit: number, claimMs: number): Promise<OutboxItem[]>;
  /** Extend the claims on items still being delivered. */
  renewOutboxClaims(holder: string, ids: string[], until: number): Promise<void>;
  /** Give up every claim of this holder (its pass is over). */
  releaseOutboxClaims(holder: string): Promise<void>;
  /** When the earliest pending outbox item falls due, if any. */
  nextOutboxDue(): Promise<number | undefined>;
  listOutbox(sessionId: string): Promise<OutboxItem[]>;
  markOutboxSent(id: string, now: number, platformId?: string): Promise<void>;
  markOutboxRetry(id: string, nextAttemptAt: number, error: string): Promise<void>;
  markOutboxFailed(id: string, error: string): Promise<void>;

  close(): Promise<void>;
}
