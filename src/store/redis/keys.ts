/**
 * Key naming for the redis backend. Every key starts with the store's prefix; a session's own
 * keys carry its id in a hash tag (`{s:<id>}`) so they share one Cluster slot. The Lua scripts
 * build the same names (scripts/prelude.ts); the two must stay in step. Keys only scripts use
 * are listed at the top of redis-store.ts.
 */

/** Key parts are percent-encoded (as encodeURIComponent), so `:` and `{}` in ids never collide. */
export function keyPart(value: string): string {
  return encodeURIComponent(value);
}

export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Session hash: its record, thread-key fields and agent state. */
  session(sessionId: string): string {
    return `${this.prefix}{s:${keyPart(sessionId)}}`;
  }

  /** Pending inbox ids of a session, scored by seq. */
  pending(sessionId: string): string {
    return `${this.session(sessionId)}:pending`;
  }

  message(sessionId: string, messageId: string): string {
    return `${this.session(sessionId)}:m:${keyPart(messageId)}`;
  }

  transcript(sessionId: string): string {
    return `${this.session(sessionId)}:transcript`;
  }

  /** Every outbox id of a session, scored by seq. */
  outbox(sessionId: string): string {
    return `${this.session(sessionId)}:outbox`;
  }

  outboxItem(sessionId: string, outboxId: string): string {
    return `${this.session(sessionId)}:o:${keyPart(outboxId)}`;
  }

  /** Exposure ids whose parent is this session, in insertion order. */
  exposures(sessionId: string): string {
    return `${this.session(sessionId)}:exposures`;
  }

  /** Sessions by last activity (member `<rowid>|<id>`, so ties sort newest first). */
  get sessions(): string {
    return `${this.prefix}sessions`;
  }

  /** Sessions with pending inbox items, scored by their oldest pending seq. */
  get pendingSessions(): string {
    return `${this.prefix}pending`;
  }

  /** Message id → session id. */
  get messages(): string {
    return `${this.prefix}msgs`;
  }

  /** Message ids of one (channel, eventId), scored by seq: the newest is last. */
  event(channel: string, eventId: string): string {
    return `${this.prefix}event:${keyPart(channel)}:${keyPart(eventId)}`;
  }

  dedupe(channel: string, eventId: string): string {
    return `${this.prefix}dedupe:${keyPart(channel)}:${keyPart(eventId)}`;
  }

  thread(channel: string, key: string): string {
    return `${this.prefix}thread:${keyPart(channel)}:${keyPart(key)}`;
  }

  exposure(id: string): string {
    return `${this.prefix}exposure:${keyPart(id)}`;
  }

  channelState(channel: string): string {
    return `${this.prefix}channel:${keyPart(channel)}`;
  }

  lease(name: string): string {
    return `${this.prefix}lease:${keyPart(name)}`;
  }
}
