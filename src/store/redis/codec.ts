/**
 * Turns redis hashes into the Store's records. Hash fields are strings; every field is checked
 * here once, and absent optional fields stay absent (or undefined) exactly as the sqlite rows do.
 */
import type { Attachment, Sender } from "../../core/envelope.ts";
import type { Address } from "../../core/channel.ts";
import type { TranscriptEntry } from "../../core/agent.ts";
import type { ExposureRecord, InboxItem, InboxKind, InboxStatus, OutboxItem, SessionRecord } from "../store.ts";

export type Hash = Record<string, string>;

function corrupt(field: string, expected: string): Error {
  return new Error(`store: redis field "${field}" does not hold ${expected}; the data may be damaged`);
}

function str(hash: Hash, field: string): string {
  const value = hash[field];
  if (value === undefined) throw corrupt(field, "a value");
  return value;
}

function num(hash: Hash, field: string): number {
  const value = Number(str(hash, field));
  if (!Number.isFinite(value)) throw corrupt(field, "a number");
  return value;
}

function optionalNum(hash: Hash, field: string): number | undefined {
  return hash[field] === undefined ? undefined : num(hash, field);
}

function json<T>(hash: Hash, field: string): T {
  return JSON.parse(str(hash, field)) as T;
}

/** A Lua reply of HGETALL (`[field, value, …]`) as a hash. */
export function pairsToHash(reply: unknown): Hash {
  if (!Array.isArray(reply)) throw new Error("store: expected a hash reply from redis");
  const hash: Hash = {};
  for (let i = 0; i + 1 < reply.length; i += 2) hash[String(reply[i])] = String(reply[i + 1]);
  return hash;
}

/** HGETALL replies `{}` for a missing key. */
export function isEmpty(hash: Hash): boolean {
  return Object.keys(hash).length === 0;
}

export function toSession(hash: Hash): SessionRecord {
  const threadChannel = hash["threadChannel"];
  const threadKey = hash["threadKey"];
  return {
    id: str(hash, "id"),
    agent: str(hash, "agent"),
    channel: str(hash, "channel"),
    userId: str(hash, "userId"),
    identity: hash["identity"],
    threadKey: threadChannel !== undefined && threadKey !== undefined ? { channel: threadChannel, key: threadKey } : undefined,
    status: str(hash, "status") as SessionRecord["status"],
    createdAt: num(hash, "createdAt"),
    lastActivityAt: num(hash, "lastActivityAt"),
    expiresAt: num(hash, "expiresAt"),
  };
}

export function toInboxItem(hash: Hash): InboxItem {
  return {
    id: str(hash, "id"),
    sessionId: str(hash, "sessionId"),
    seq: num(hash, "seq"),
    channel: str(hash, "channel"),
    eventId: str(hash, "eventId"),
    kind: str(hash, "kind") as InboxKind,
    text: str(hash, "text"),
    sender: json<Sender>(hash, "sender"),
    replyTo: json<Address>(hash, "replyTo"),
    ...(hash["attachments"] === undefined ? {} : { attachments: json<Attachment[]>(hash, "attachments") }),
    status: str(hash, "status") as InboxStatus,
    attempts: num(hash, "attempts"),
    acceptedAt: num(hash, "acceptedAt"),
    reply: hash["reply"],
  };
}

export function toOutboxItem(hash: Hash): OutboxItem {
  return {
    id: str(hash, "id"),
    key: str(hash, "key"),
    sessionId: str(hash, "sessionId"),
    channel: str(hash, "channel"),
    to: json<Address>(hash, "to"),
    text: str(hash, "text"),
    ...(hash["editOf"] === undefined ? {} : { editOf: str(hash, "editOf") }),
    status: str(hash, "status") as OutboxItem["status"],
    attempts: num(hash, "attempts"),
    nextAttemptAt: num(hash, "nextAttemptAt"),
    lastError: hash["lastError"],
    platformId: hash["platformId"],
    createdAt: num(hash, "createdAt"),
    sentAt: optionalNum(hash, "sentAt"),
  };
}

/** Stored as JSON; only the contract's fields, so the stored form does not depend on the caller's extras. */
export function encodeTranscriptEntry(entry: TranscriptEntry): string {
  const stored: TranscriptEntry = { role: entry.role, text: entry.text, at: entry.at };
  if (entry.messageId !== undefined) stored.messageId = entry.messageId;
  return JSON.stringify(stored);
}

export function decodeTranscriptEntry(value: string): TranscriptEntry {
  return JSON.parse(value) as TranscriptEntry;
}

/** Hash fields for an exposure; `label` only when there is one. */
export function exposureFields(record: ExposureRecord): string[] {
  const fields = [
    "id", record.id,
    "parentSessionId", record.parentSessionId,
    "sessionId", record.sessionId,
    "agentId", record.agentId,
    "userId", record.userId,
    "createdAt", String(record.createdAt),
  ];
  if (record.label !== undefined) fields.push("label", record.label);
  return fields;
}

export function toExposure(hash: Hash): ExposureRecord {
  return {
    id: str(hash, "id"),
    parentSessionId: str(hash, "parentSessionId"),
    sessionId: str(hash, "sessionId"),
    agentId: str(hash, "agentId"),
    label: hash["label"],
    userId: str(hash, "userId"),
    createdAt: num(hash, "createdAt"),
  };
}
