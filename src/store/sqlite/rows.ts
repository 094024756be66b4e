/**
 * Turns sqlite rows into the Store's records. node:sqlite returns loosely typed rows, so every
 * column is checked here once instead of being cast at each call site.
 */
import type { SQLOutputValue } from "node:sqlite";
import type { Attachment, Sender } from "../../core/envelope.ts";
import type { Address } from "../../core/channel.ts";
import type { TranscriptEntry } from "../../core/agent.ts";
import type { ExposureRecord, InboxItem, InboxKind, InboxStatus, OutboxItem, SessionRecord } from "../store.ts";

export type Row = Record<string, SQLOutputValue>;

function corrupt(column: string, expected: string): Error {
  return new Error(`store: column "${column}" does not hold ${expected}; the database may be damaged`);
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw corrupt(column, "text");
  return value;
}

export function int(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  throw corrupt(column, "an integer");
}

export function optionalText(row: Row, column: string): string | undefined {
  return row[column] === null || row[column] === undefined ? undefined : text(row, column);
}

export function optionalInt(row: Row, column: string): number | undefined {
  return row[column] === null || row[column] === undefined ? undefined : int(row, column);
}

function json<T>(row: Row, column: string): T {
  return JSON.parse(text(row, column)) as T;
}

/** Expects the columns of SESSION_COLUMNS in statements.ts. */
export function toSession(row: Row): SessionRecord {
  const mapChannel = optionalText(row, "map_channel");
  const mapKey = optionalText(row, "map_key");
  return {
    id: text(row, "id"),
    agent: text(row, "agent"),
    channel: text(row, "channel"),
    userId: text(row, "user_id"),
    identity: optionalText(row, "identity"),
    threadKey: mapChannel !== undefined && mapKey !== undefined ? { channel: mapChannel, key: mapKey } : undefined,
    status: text(row, "status") as SessionRecord["status"],
    createdAt: int(row, "created_at"),
    lastActivityAt: int(row, "last_activity_at"),
    expiresAt: int(row, "expires_at"),
  };
}

export function toInboxItem(row: Row): InboxItem {
  return {
    id: text(row, "id"),
    sessionId: text(row, "session_id"),
    seq: int(row, "seq"),
    channel: text(row, "channel"),
    eventId: text(row, "event_id"),
    kind: text(row, "kind") as InboxKind,
    text: text(row, "text"),
    sender: json<Sender>(row, "sender"),
    replyTo: json<Address>(row, "reply_to"),
    ...optionalField("attachments", optionalText(row, "attachments") === undefined ? undefined : json<Attachment[]>(row, "attachments")),
    status: text(row, "status") as InboxStatus,
    attempts: int(row, "attempts"),
    acceptedAt: int(row, "accepted_at"),
    reply: optionalText(row, "reply"),
  };
}

export function toTranscriptEntry(row: Row): TranscriptEntry {
  const entry: TranscriptEntry = {
    role: text(row, "role") as TranscriptEntry["role"],
    text: text(row, "text"),
    at: int(row, "at"),
  };
  const messageId = optionalText(row, "message_id");
  if (messageId !== undefined) entry.messageId = messageId;
  return entry;
}

export function toOutboxItem(row: Row): OutboxItem {
  return {
    id: text(row, "id"),
    key: text(row, "key"),
    sessionId: text(row, "session_id"),
    channel: text(row, "channel"),
    to: json<Address>(row, "to_address"),
    text: text(row, "text"),
    ...optionalField("editOf", optionalText(row, "edit_of")),
    status: text(row, "status") as OutboxItem["status"],
    attempts: int(row, "attempts"),
    nextAttemptAt: int(row, "next_attempt_at"),
    lastError: optionalText(row, "last_error"),
    platformId: optionalText(row, "platform_id"),
    createdAt: int(row, "created_at"),
    sentAt: optionalInt(row, "sent_at"),
  };
}

export function toExposure(row: Row): ExposureRecord {
  return {
    id: text(row, "id"),
    parentSessionId: text(row, "parent_session_id"),
    sessionId: text(row, "session_id"),
    agentId: text(row, "agent_id"),
    label: optionalText(row, "label"),
    userId: text(row, "user_id"),
    createdAt: int(row, "created_at"),
  };
}

/** `{ [name]: value }` when there is a value, so absent columns stay absent keys. */
function optionalField<K extends string, V>(name: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, V>);
}
