/**
 * `accept` for the sqlite backend: dedupe, resolve the session, check the queue cap and append
 * to the inbox, all inside one BEGIN IMMEDIATE transaction.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type { AcceptInput, AcceptOutcome, SessionRecord } from "../store.ts";
import type { Statements } from "./statements.ts";
import { int, text, toSession } from "./rows.ts";
import { transaction } from "./transaction.ts";

/**
 * Where the message will go. Resolving only plans: nothing is written until the queue cap has
 * been checked, so a rejected message leaves no trace (no session, no dedupe record).
 */
type SessionPlan =
  | { kind: "existing"; id: string }
  | { kind: "create"; id: string; mapThread: boolean; replaces: SessionRecord | undefined };

export function acceptMessage(db: DatabaseSync, st: Statements, input: AcceptInput): AcceptOutcome {
  return transaction(db, () => {
    const { channel, eventId, now } = input;
    const seen = st.findDedupe.get({ channel, eventId, now });
    if (seen) {
      return { status: "duplicate", messageId: text(seen, "message_id"), sessionId: text(seen, "session_id") };
    }

    const plan = planSession(st, input);
    if (plan.kind === "existing") {
      const pending = st.countPending.get({ sessionId: plan.id });
      if (pending && int(pending, "n") >= input.maxPendingPerSession) {
        return { status: "rejected", reason: "queue_full", sessionId: plan.id };
      }
    } else if (input.maxPendingPerSession <= 0) {
      return { status: "rejected", reason: "queue_full", sessionId: plan.id };
    }

    if (plan.kind === "create") createSession(st, input, plan);
    const sessionId = plan.id;
    const messageId = randomUUID();
    st.insertInbox.run({
      id: messageId,
      sessionId,
      channel,
      eventId,
      kind: input.item.kind,
      text: input.item.text,
      sender: JSON.stringify(input.item.sender),
      attachments: input.item.attachments?.length ? JSON.stringify(input.item.attachments) : null,
      replyTo: JSON.stringify(input.item.replyTo),
      now,
    });
    st.putDedupe.run({ channel, eventId, messageId, sessionId, expiresAt: now + input.dedupeTtlMs });
    st.slideSession.run({ id: sessionId, now, expiresAt: now + input.session.ttlMs });
    return { status: "accepted", messageId, sessionId, newSession: plan.kind === "create" };
  });
}

function planSession(st: Statements, input: AcceptInput): SessionPlan {
  const { existingId, threadKey, fresh } = input.session;
  if (existingId !== undefined) {
    // The `existing` strategy names the session outright: continue it, or open it under that id.
    const found = st.sessionById.get({ id: existingId });
    return found ? { kind: "existing", id: existingId } : { kind: "create", id: existingId, mapThread: false, replaces: undefined };
  }
  if (threadKey === undefined) {
    return { kind: "create", id: randomUUID(), mapThread: false, replaces: undefined };
  }
  const row = st.sessionByThread.get({ channel: threadKey.channel, key: threadKey.key });
  const mapped = row ? toSession(row) : undefined;
  if (mapped && !fresh && mapped.status === "active" && mapped.expiresAt > input.now) {
    return { kind: "existing", id: mapped.id };
  }
  return { kind: "create", id: randomUUID(), mapThread: true, replaces: mapped };
}

function createSession(st: Statements, input: AcceptInput, plan: Extract<SessionPlan, { kind: "create" }>): void {
  st.insertSession.run({
    id: plan.id,
    agent: input.session.agent,
    channel: input.channel,
    userId: input.item.sender.id,
    identity: input.item.sender.identity ?? null,
    now: input.now,
    expiresAt: input.now + input.session.ttlMs,
  });
  // The replaced session stays readable (transcript, outbox) but is ended; repointing the map
  // row below is what takes its thread key away.
  if (plan.replaces) st.endSession.run({ id: plan.replaces.id });
  const threadKey = input.session.threadKey;
  if (plan.mapThread && threadKey) {
    st.mapThread.run({ channel: threadKey.channel, key: threadKey.key, sessionId: plan.id });
  }
}
