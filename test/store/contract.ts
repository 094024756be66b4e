/**
 * The Store contract suite. Every backend runs it from its own test file:
 * `runStoreContract("sqlite", () => openSqliteStore(path))`. Each test opens a fresh, empty
 * store and closes it, so tests never see each other's data.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AcceptInput, AcceptOutcome, OutboxDraft, OutboxItem, Store, TurnCommit } from "../../src/store/store.ts";
import { laneContract } from "./lane-contract.ts";
import { bucketContract } from "./bucket-contract.ts";
import { pairingContract } from "./pairing-contract.ts";
import { auditContract } from "./audit-contract.ts";
import { scheduleContract } from "./schedule-contract.ts";
import { storedChannelsContract } from "./stored-channels-contract.ts";

const T0 = 1_700_000_000_000;
const TTL = 60_000;
const DEDUPE_TTL = 10_000;

interface MessageOptions {
  channel?: string;
  user?: string;
  text?: string;
  agent?: string;
  /** Thread-map key on channel "chat"; defaults to `dm:<user>`. */
  thread?: string;
  existingId?: string;
  fresh?: boolean;
  now?: number;
  maxPending?: number;
  dedupeTtlMs?: number;
}

function message(eventId: string, options: MessageOptions = {}): AcceptInput {
  const user = options.user ?? "alice";
  const session: AcceptInput["session"] = { agent: options.agent ?? "echo", ttlMs: TTL };
  if (options.existingId !== undefined) session.existingId = options.existingId;
  else session.threadKey = { channel: "chat", key: options.thread ?? `dm:${user}` };
  if (options.fresh) session.fresh = true;
  return {
    channel: options.channel ?? "chat",
    eventId,
    now: options.now ?? T0,
    dedupeTtlMs: options.dedupeTtlMs ?? DEDUPE_TTL,
    session,
    item: {
      kind: "message",
      text: options.text ?? `text of ${eventId}`,
      sender: { id: user, name: user.toUpperCase() },
      replyTo: { conversation: `conv-${user}` },
    },
    maxPendingPerSession: options.maxPending ?? 10,
  };
}

function accepted(outcome: AcceptOutcome): Extract<AcceptOutcome, { status: "accepted" }> {
  assert.equal(outcome.status, "accepted", `expected accepted, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<AcceptOutcome, { status: "accepted" }>;
}

function draft(key: string, text = `reply ${key}`): OutboxDraft {
  return { key, channel: "chat", to: { conversation: "conv-alice", thread: "t1" }, text };
}

function turn(sessionId: string, messageIds: string[], fields: Partial<TurnCommit> = {}): TurnCommit {
  return { sessionId, messageIds, status: "done", reply: "ok", transcript: [], outbox: [], now: T0 + 1_000, ...fields };
}

export function runStoreContract(name: string, open: () => Promise<Store>): void {
  /** Runs `fn` against a fresh store and always closes it. */
  const withStore = (fn: (store: Store) => Promise<void>) => async () => {
    const store = await open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  describe(`Store contract: ${name}`, () => {
    describe("accept", () => {
      it("accepts a first message into a new pending session", withStore(async (store) => {
        const out = accepted(await store.accept(message("e1", { text: "hello" })));
        assert.equal(out.newSession, true);

        assert.deepEqual(await store.getSession(out.sessionId), {
          id: out.sessionId,
          agent: "echo",
          channel: "chat",
          userId: "alice",
          identity: undefined,
          threadKey: { channel: "chat", key: "dm:alice" },
          status: "active",
          createdAt: T0,
          lastActivityAt: T0,
          expiresAt: T0 + TTL,
        });
        const item = await store.getMessage("chat", "e1");
        assert.ok(item);
        assert.deepEqual({ ...item, seq: 0 }, {
          id: out.messageId,
          sessionId: out.sessionId,
          seq: 0,
          channel: "chat",
          eventId: "e1",
          kind: "message",
          text: "hello",
          sender: { id: "alice", name: "ALICE" },
          replyTo: { conversation: "conv-alice" },
          status: "pending",
          attempts: 0,
          acceptedAt: T0,
          reply: undefined,
        });
        assert.deepEqual((await store.pendingInbox(out.sessionId, 10)).map((i) => i.id), [out.messageId]);
      }));

      it("a session records the linked user its sender is (identityLinks)", withStore(async (store) => {
        const input = message("id1", { user: "U7" });
        input.item.sender = { ...input.item.sender, identity: "alice" };
        const out = accepted(await store.accept(input));
        assert.equal((await store.getSession(out.sessionId))?.identity, "alice");
        assert.equal((await store.getMessage("chat", "id1"))?.sender.identity, "alice");
      }));

      it("unknown sessions and messages read as undefined", withStore(async (store) => {
        assert.equal(await store.getSession("nope"), undefined);
        assert.equal(await store.getMessage("chat", "nope"), undefined);
        assert.deepEqual(await store.getTranscript("nope"), []);
        assert.deepEqual(await store.pendingInbox("nope", 10), []);
      }));

      it("a duplicate eventId is reported as a duplicate and appends nothing", withStore(async (store) => {
        const first = accepted(await store.accept(message("e1", { text: "first" })));
        const again = await store.accept(message("e1", { text: "second", now: T0 + 500 }));
        assert.deepEqual(again, { status: "duplicate", messageId: first.messageId, sessionId: first.sessionId });
        assert.equal((await store.pendingInbox(first.sessionId, 10)).length, 1);
        assert.equal((await store.getMessage("chat", "e1"))?.text, "first");
        assert.equal((await store.getSession(first.sessionId))?.expiresAt, T0 + TTL, "a duplicate does not slide the session");
      }));

      it("the same eventId on another channel is a different message", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1", { channel: "chat" })));
        const b = accepted(await store.accept(message("e1", { channel: "mail" })));
        assert.notEqual(a.messageId, b.messageId);
      }));

      it("two users' thread keys map to two sessions", withStore(async (store) => {
        const alice = accepted(await store.accept(message("e1", { user: "alice" })));
        const bob = accepted(await store.accept(message("e2", { user: "bob" })));
        assert.notEqual(alice.sessionId, bob.sessionId);
        assert.equal((await store.getSession(bob.sessionId))?.userId, "bob");
        assert.equal((await store.pendingInbox(alice.sessionId, 10)).length, 1);
        assert.equal((await store.pendingInbox(bob.sessionId, 10)).length, 1);
      }));

      it("messages on one thread key share a session and slide its expiry", withStore(async (store) => {
        const first = accepted(await store.accept(message("e1")));
        const second = accepted(await store.accept(message("e2", { now: T0 + 5_000 })));
        assert.equal(second.sessionId, first.sessionId);
        assert.equal(second.newSession, false);
        const session = await store.getSession(first.sessionId);
        assert.equal(session?.lastActivityAt, T0 + 5_000);
        assert.equal(session?.expiresAt, T0 + 5_000 + TTL);
        assert.equal(session?.createdAt, T0);
      }));

      it("an expired session is replaced by a fresh one on the next message", withStore(async (store) => {
        const old = accepted(await store.accept(message("e1")));
        const next = accepted(await store.accept(message("e2", { now: T0 + TTL })));
        assert.notEqual(next.sessionId, old.sessionId);
        assert.equal(next.newSession, true);
        const replaced = await store.getSession(old.sessionId);
        assert.equal(replaced?.status, "ended");
        assert.equal(replaced?.threadKey, undefined);
        assert.deepEqual((await store.getSession(next.sessionId))?.threadKey, { channel: "chat", key: "dm:alice" });
      }));

      it("fresh: true opens a new session and ends the old mapping", withStore(async (store) => {
        const old = accepted(await store.accept(message("e1")));
        const fresh = accepted(await store.accept(message("e2", { fresh: true, now: T0 + 1 })));
        assert.notEqual(fresh.sessionId, old.sessionId);
        assert.equal(fresh.newSession, true);
        const ended = await store.getSession(old.sessionId);
        assert.equal(ended?.status, "ended");
        assert.equal(ended?.threadKey, undefined);
        assert.equal((await store.pendingInbox(old.sessionId, 10)).length, 1, "the old session keeps its items");
        const after = accepted(await store.accept(message("e3", { now: T0 + 2 })));
        assert.equal(after.sessionId, fresh.sessionId, "the thread key now points at the fresh session");
      }));

      it("existingId continues the named session", withStore(async (store) => {
        const opened = accepted(await store.accept(message("e1", { existingId: "s-42" })));
        assert.equal(opened.sessionId, "s-42");
        assert.equal(opened.newSession, true);
        assert.equal((await store.getSession("s-42"))?.threadKey, undefined);

        const later = T0 + TTL + 1; // past expiry: an explicitly named session is still continued
        const continued = accepted(await store.accept(message("e2", { existingId: "s-42", now: later })));
        assert.equal(continued.sessionId, "s-42");
        assert.equal(continued.newSession, false);
        assert.equal((await store.getSession("s-42"))?.expiresAt, later + TTL);
        assert.equal((await store.pendingInbox("s-42", 10)).length, 2);
      }));

      it("a reset session's thread key opens a fresh session", withStore(async (store) => {
        const old = accepted(await store.accept(message("e1")));
        assert.equal(await store.resetSession(old.sessionId, T0 + 1), true);
        const ended = await store.getSession(old.sessionId);
        assert.equal(ended?.status, "ended");
        assert.equal(ended?.threadKey, undefined);
        const next = accepted(await store.accept(message("e2", { now: T0 + 2 })));
        assert.notEqual(next.sessionId, old.sessionId);
        assert.equal(next.newSession, true);
        assert.equal(await store.resetSession("no-such-session", T0), false);
      }));

      it("a full session queue rejects and records no dedupe key", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1", { maxPending: 2 })));
        accepted(await store.accept(message("e2", { maxPending: 2 })));
        const full = await store.accept(message("e3", { maxPending: 2, now: T0 + 100 }));
        assert.deepEqual(full, { status: "rejected", reason: "queue_full", sessionId: a.sessionId });
        assert.equal(await store.getMessage("chat", "e3"), undefined);
        assert.equal((await store.pendingInbox(a.sessionId, 10)).length, 2);
        assert.equal((await store.getSession(a.sessionId))?.lastActivityAt, T0, "a rejection is not activity");

        assert.equal(await store.completeTurn(turn(a.sessionId, [a.messageId])), true);
        const retried = accepted(await store.accept(message("e3", { maxPending: 2, now: T0 + 200 })));
        assert.equal(retried.sessionId, a.sessionId, "the platform's retry of a rejected event is accepted later");
      }));
    });

    describe("inbox", () => {
      it("pending items come back in arrival order", withStore(async (store) => {
        const ids: string[] = [];
        for (const [i, user] of ["alice", "bob", "alice", "alice", "bob"].entries()) {
          ids.push(accepted(await store.accept(message(`e${i}`, { user, now: T0 + i }))).messageId);
        }
        const alice = (await store.getMessage("chat", "e0"))!.sessionId;
        const pending = await store.pendingInbox(alice, 10);
        assert.deepEqual(pending.map((item) => item.eventId), ["e0", "e2", "e3"]);
        const seqs = await Promise.all(ids.map(async (_, i) => (await store.getMessage("chat", `e${i}`))!.seq));
        assert.deepEqual([...seqs].sort((x, y) => x - y), seqs, "seq is store-wide arrival order");
        assert.equal(new Set(seqs).size, seqs.length);
        assert.deepEqual((await store.pendingInbox(alice, 2)).map((item) => item.eventId), ["e0", "e2"]);
      }));

      it("beginAttempt counts one more attempt per item", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        const b = accepted(await store.accept(message("e2")));
        await store.beginAttempt([a.messageId, b.messageId]);
        await store.beginAttempt([a.messageId]);
        assert.equal((await store.getMessage("chat", "e1"))?.attempts, 2);
        assert.equal((await store.getMessage("chat", "e2"))?.attempts, 1);
        assert.equal((await store.getMessage("chat", "e1"))?.status, "pending");
      }));

      it("sessionsWithPending orders by oldest pending", withStore(async (store) => {
        const a1 = accepted(await store.accept(message("e1", { user: "alice" })));
        const b = accepted(await store.accept(message("e2", { user: "bob" })));
        accepted(await store.accept(message("e3", { user: "alice" })));
        const c = accepted(await store.accept(message("e4", { user: "carol" })));
        assert.deepEqual(await store.sessionsWithPending(), [a1.sessionId, b.sessionId, c.sessionId]);

        // Alice's oldest pending is now e3, which arrived after bob's e2.
        assert.equal(await store.completeTurn(turn(a1.sessionId, [a1.messageId])), true);
        assert.deepEqual(await store.sessionsWithPending(), [b.sessionId, a1.sessionId, c.sessionId]);
        assert.equal(await store.completeTurn(turn(c.sessionId, [c.messageId])), true);
        assert.deepEqual(await store.sessionsWithPending(), [b.sessionId, a1.sessionId]);
      }));
    });

    describe("completeTurn", () => {
      it("records replies, appends the transcript and queues the outbox", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        const b = accepted(await store.accept(message("e2")));
        const first = turn(a.sessionId, [a.messageId], {
          transcript: [
            { role: "user", text: "q1", at: T0, messageId: a.messageId },
            { role: "assistant", text: "a1", at: T0 + 10 },
          ],
          reply: "a1",
          outbox: [draft("turn1:0")],
          now: T0 + 20,
        });
        assert.equal(await store.completeTurn(first), true);
        const second = turn(a.sessionId, [b.messageId], {
          status: "failed",
          reply: "sorry",
          transcript: [{ role: "user", text: "q2", at: T0 + 30 }],
          now: T0 + 40,
        });
        assert.equal(await store.completeTurn(second), true);

        const item = await store.getMessage("chat", "e1");
        assert.equal(item?.status, "done");
        assert.equal(item?.reply, "a1");
        assert.equal((await store.getMessage("chat", "e2"))?.status, "failed");
        assert.deepEqual(await store.pendingInbox(a.sessionId, 10), []);
        assert.deepEqual(await store.getTranscript(a.sessionId), [...first.transcript, ...second.transcript]);

        const outbox = await store.listOutbox(a.sessionId);
        assert.equal(outbox.length, 1);
        assert.deepEqual({ ...outbox[0], id: "" }, {
          ...draft("turn1:0"),
          id: "",
          sessionId: a.sessionId,
          status: "pending",
          attempts: 0,
          nextAttemptAt: T0 + 20,
          lastError: undefined,
          platformId: undefined,
          createdAt: T0 + 20,
          sentAt: undefined,
        });
        assert.equal((await store.getSession(a.sessionId))?.lastActivityAt, T0 + 40);
      }));

      it("completeTurn is atomic: a second completion of the same item returns false and adds nothing", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        const b = accepted(await store.accept(message("e2")));
        const commit = turn(a.sessionId, [a.messageId], {
          transcript: [{ role: "assistant", text: "once", at: T0 }],
          outbox: [draft("t1:0")],
        });
        assert.equal(await store.completeTurn(commit), true);
        assert.equal(await store.completeTurn({ ...commit, outbox: [draft("t2:0")], reply: "twice" }), false);

        // One item already done and one still pending: all or nothing.
        const mixed = turn(a.sessionId, [b.messageId, a.messageId], {
          transcript: [{ role: "assistant", text: "mixed", at: T0 }],
          outbox: [draft("t3:0")],
        });
        assert.equal(await store.completeTurn(mixed), false);

        assert.equal((await store.getMessage("chat", "e1"))?.reply, "ok");
        assert.equal((await store.getMessage("chat", "e2"))?.status, "pending");
        assert.deepEqual((await store.getTranscript(a.sessionId)).map((e) => e.text), ["once"]);
        assert.deepEqual((await store.listOutbox(a.sessionId)).map((o) => o.key), ["t1:0"]);
        assert.equal(await store.completeTurn(turn(a.sessionId, ["no-such-message"])), false);
      }));
    });

    describe("outbox", () => {
      it("outbox keys are idempotent", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        const b = accepted(await store.accept(message("e2")));
        await store.completeTurn(turn(a.sessionId, [a.messageId], { outbox: [draft("t1:0", "first"), draft("t1:1")] }));
        await store.completeTurn(turn(a.sessionId, [b.messageId], { outbox: [draft("t1:0", "again"), draft("t2:0")] }));
        const outbox = await store.listOutbox(a.sessionId);
        assert.deepEqual(outbox.map((o) => [o.key, o.text]), [["t1:0", "first"], ["t1:1", "reply t1:1"], ["t2:0", "reply t2:0"]]);
        assert.equal(new Set(outbox.map((o) => o.id)).size, 3);
      }));

      it("due/retry/sent/failed outbox lifecycle", withStore(async (store) => {
        assert.equal(await store.nextOutboxDue(), undefined);
        const a = accepted(await store.accept(message("e1")));
        const b = accepted(await store.accept(message("e2")));
        await store.completeTurn(turn(a.sessionId, [a.messageId], { outbox: [draft("t1:0"), draft("t1:1")], now: T0 + 10 }));
        await store.completeTurn(turn(a.sessionId, [b.messageId], { outbox: [draft("t2:0")], now: T0 + 20 }));

        assert.deepEqual(await store.dueOutbox(T0 + 5, 10), [], "nothing is due before it was created");
        assert.equal(await store.nextOutboxDue(), T0 + 10);
        const due = await store.dueOutbox(T0 + 20, 10);
        assert.deepEqual(due.map((o) => o.key), ["t1:0", "t1:1", "t2:0"]);
        assert.deepEqual((await store.dueOutbox(T0 + 20, 2)).map((o) => o.key), ["t1:0", "t1:1"]);
        const [first, second, third] = due;
        assert.ok(first && second && third);

        await store.markOutboxRetry(first.id, T0 + 1_000, "429 slow down");
        await store.markOutboxSent(second.id, T0 + 30, "platform-7");
        await store.markOutboxFailed(third.id, "channel_not_found");

        assert.deepEqual(await store.dueOutbox(T0 + 999, 10), []);
        assert.equal(await store.nextOutboxDue(), T0 + 1_000);
        const byKey = new Map((await store.listOutbox(a.sessionId)).map((o) => [o.key, o]));
        assert.deepEqual(pick(byKey.get("t1:0")), { status: "pending", attempts: 1, nextAttemptAt: T0 + 1_000, lastError: "429 slow down", platformId: undefined, sentAt: undefined });
        assert.deepEqual(pick(byKey.get("t1:1")), { status: "sent", attempts: 1, nextAttemptAt: T0 + 10, lastError: undefined, platformId: "platform-7", sentAt: T0 + 30 });
        assert.deepEqual(pick(byKey.get("t2:0")), { status: "failed", attempts: 1, nextAttemptAt: T0 + 20, lastError: "channel_not_found", platformId: undefined, sentAt: undefined });

        await store.markOutboxRetry(first.id, T0 + 2_000, "500");
        assert.deepEqual((await store.dueOutbox(T0 + 2_000, 10)).map((o) => [o.key, o.attempts]), [["t1:0", 2]]);
        await store.markOutboxSent(first.id, T0 + 2_001);
        assert.equal(await store.nextOutboxDue(), undefined);
        assert.deepEqual(await store.dueOutbox(T0 + 10_000, 10), []);
        const sent = (await store.listOutbox(a.sessionId)).find((o) => o.key === "t1:0");
        assert.equal(sent?.platformId, undefined);
        assert.equal(sent?.attempts, 3);
      }));

      it("due items come back in creation order, so a retried item still goes before its successors", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        await store.completeTurn(turn(a.sessionId, [a.messageId], { outbox: [draft("k:0"), draft("k:1"), draft("k:2")], now: T0 }));
        const [k0] = await store.dueOutbox(T0, 1);
        assert.ok(k0);
        await store.markOutboxRetry(k0.id, T0 + 50, "busy");
        assert.deepEqual((await store.dueOutbox(T0 + 50, 10)).map((o) => o.key), ["k:0", "k:1", "k:2"]);
      }));

      it("a late retry or failure never reopens a sent item", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        await store.completeTurn(turn(a.sessionId, [a.messageId], { outbox: [draft("t1:0")] }));
        const [item] = await store.listOutbox(a.sessionId);
        assert.ok(item);
        await store.markOutboxSent(item.id, T0 + 5, "p1");
        await store.markOutboxRetry(item.id, T0 + 10, "stale worker");
        await store.markOutboxFailed(item.id, "stale worker");
        const [after] = await store.listOutbox(a.sessionId);
        assert.equal(after?.status, "sent");
        assert.equal(after?.platformId, "p1");
        assert.deepEqual(await store.dueOutbox(T0 + 1_000, 10), []);
      }));
    });

    describe("expiry", () => {
      it("eviction deletes idle sessions but never one with pending work", withStore(async (store) => {
        // Its dedupe record outlives the session, as it does when dedupe TTL > session TTL.
        const idle = accepted(await store.accept(message("e1", { user: "idle", dedupeTtlMs: 2 * TTL })));
        await store.completeTurn(turn(idle.sessionId, [idle.messageId], {
          transcript: [{ role: "assistant", text: "bye", at: T0 }],
          outbox: [draft("idle:0")],
        }));
        const [idleOut] = await store.listOutbox(idle.sessionId);
        assert.ok(idleOut);
        await store.markOutboxSent(idleOut.id, T0 + 2);

        const inboxBusy = accepted(await store.accept(message("e2", { user: "inbox-busy" })));
        const outboxBusy = accepted(await store.accept(message("e3", { user: "outbox-busy" })));
        await store.completeTurn(turn(outboxBusy.sessionId, [outboxBusy.messageId], { outbox: [draft("busy:0")] }));
        const live = accepted(await store.accept(message("e4", { user: "live", now: T0 + TTL })));

        assert.equal(await store.evictExpired(T0 + TTL - 1, 100), 0, "nothing is idle before its expiry");
        assert.equal(await store.evictExpired(T0 + TTL, 100), 1);

        assert.equal(await store.getSession(idle.sessionId), undefined);
        assert.deepEqual(await store.getTranscript(idle.sessionId), []);
        assert.deepEqual(await store.listOutbox(idle.sessionId), []);
        assert.equal(await store.getMessage("chat", "e1"), undefined);
        for (const kept of [inboxBusy, outboxBusy, live]) assert.ok(await store.getSession(kept.sessionId));

        // Its thread key is free again, and its events are still deduplicated.
        const back = accepted(await store.accept(message("e5", { user: "idle", now: T0 + TTL + 1 })));
        assert.equal(back.newSession, true);
        assert.deepEqual(await store.accept(message("e1", { user: "idle", now: T0 + TTL + 2 })), {
          status: "duplicate",
          messageId: idle.messageId,
          sessionId: idle.sessionId,
        });
      }));

      it("eviction stops at the limit", withStore(async (store) => {
        for (const user of ["a", "b", "c"]) {
          const out = accepted(await store.accept(message(`e-${user}`, { user })));
          await store.completeTurn(turn(out.sessionId, [out.messageId]));
        }
        assert.equal(await store.evictExpired(T0 + TTL, 2), 2);
        assert.equal((await store.listSessions()).length, 1);
        assert.equal(await store.evictExpired(T0 + TTL, 2), 1);
        assert.equal(await store.evictExpired(T0 + TTL, 2), 0);
      }));

      it("dedupe records expire with pruneDedupe", withStore(async (store) => {
        const first = accepted(await store.accept(message("e1")));
        await store.completeTurn(turn(first.sessionId, [first.messageId]));
        assert.equal(await store.pruneDedupe(T0 + DEDUPE_TTL - 1), 0);
        assert.equal((await store.accept(message("e1", { now: T0 + DEDUPE_TTL - 1 }))).status, "duplicate");
        assert.equal(await store.pruneDedupe(T0 + DEDUPE_TTL), 1);
        assert.equal(await store.pruneDedupe(T0 + DEDUPE_TTL), 0);
        const again = accepted(await store.accept(message("e1", { now: T0 + DEDUPE_TTL + 1 })));
        assert.notEqual(again.messageId, first.messageId);
      }));

      it("an expired dedupe record no longer blocks its event, even before pruning", withStore(async (store) => {
        const first = accepted(await store.accept(message("e1")));
        const again = accepted(await store.accept(message("e1", { now: T0 + DEDUPE_TTL, text: "redelivered" })));
        assert.notEqual(again.messageId, first.messageId);
        assert.equal((await store.getMessage("chat", "e1"))?.text, "redelivered", "getMessage returns the newest");
        assert.equal((await store.accept(message("e1", { now: T0 + DEDUPE_TTL + 1 }))).status, "duplicate");
      }));
    });

    describe("listing", () => {
      it("listSessions filters", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1", { user: "alice", agent: "echo", now: T0 })));
        const b = accepted(await store.accept(message("e2", { user: "bob", agent: "claude", now: T0 + 1 })));
        const c = accepted(await store.accept(message("e3", { user: "carol", channel: "mail", thread: "mail:carol", now: T0 + 2 })));
        const d = accepted(await store.accept(message("e4", { user: "alice", agent: "claude", thread: "room:1", now: T0 + 3 })));
        // Replacing bob's session ends it without touching its last activity.
        const e = accepted(await store.accept(message("e5", { user: "bob", agent: "claude", fresh: true, now: T0 + 4 })));
        const ids = async (query?: Parameters<Store["listSessions"]>[0]) => (await store.listSessions(query)).map((s) => s.id);

        assert.deepEqual(await ids(), [e.sessionId, d.sessionId, c.sessionId, b.sessionId, a.sessionId], "newest activity first");
        assert.deepEqual(await ids({ channel: "mail" }), [c.sessionId]);
        assert.deepEqual(await ids({ agent: "claude" }), [e.sessionId, d.sessionId, b.sessionId]);
        assert.deepEqual(await ids({ userId: "alice" }), [d.sessionId, a.sessionId]);
        assert.deepEqual(await ids({ status: "ended" }), [b.sessionId]);
        assert.deepEqual(await ids({ status: "active", agent: "claude" }), [e.sessionId, d.sessionId]);
        assert.deepEqual(await ids({ limit: 2 }), [e.sessionId, d.sessionId]);
        assert.deepEqual(await ids({ limit: 2, offset: 2 }), [c.sessionId, b.sessionId]);
        assert.deepEqual(await ids({ channel: "nowhere" }), []);
      }));

      it("listSessions returns at most 100 by default", withStore(async (store) => {
        for (let i = 0; i < 101; i++) accepted(await store.accept(message(`e${i}`, { user: `u${i}`, now: T0 + i })));
        const sessions = await store.listSessions();
        assert.equal(sessions.length, 100);
        assert.equal(sessions[0]?.userId, "u100");
      }));
    });

    it("channel state is kept per channel and key, and overwritten by a later set", withStore(async (store) => {
      assert.equal(await store.getChannelState("mail", "checkpoint"), undefined);
      await store.setChannelState("mail", "checkpoint", "7:41");
      await store.setChannelState("other", "checkpoint", "1:1");
      await store.setChannelState("mail", "checkpoint", "7:42");
      assert.equal(await store.getChannelState("mail", "checkpoint"), "7:42");
      assert.equal(await store.getChannelState("other", "checkpoint"), "1:1");
    }));

    it("a lease has one holder at a time, is renewed by its holder, and is free once expired or released", withStore(async (store) => {
      assert.equal(await store.acquireLease("telegram:bot", "a", 200), true);
      assert.equal(await store.acquireLease("telegram:bot", "b", 200), false, "held by a");
      assert.equal(await store.acquireLease("telegram:bot", "a", 200), true, "a renews");
      assert.equal(await store.acquireLease("other", "b", 200), true, "leases are per name");
      await store.releaseLease("telegram:bot", "b");
      assert.equal(await store.acquireLease("telegram:bot", "b", 200), false, "b cannot release a's lease");
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal(await store.acquireLease("telegram:bot", "b", 200), true, "expired: b takes it");
      assert.equal(await store.acquireLease("telegram:bot", "a", 200), false);
      await store.releaseLease("telegram:bot", "b");
      assert.equal(await store.acquireLease("telegram:bot", "a", 200), true, "released: a takes it");
    }));

    it("outbox claims: two gateways never take the same item, nor items of a session the other is delivering", withStore(async (store) => {
      const a = accepted(await store.accept(message("c1")));
      const parts = [1, 2, 3].map((n) => ({ key: `t:${n}`, channel: "api", to: { conversation: "c" }, text: `part ${n}` }));
      await store.completeTurn(turn(a.sessionId, [a.messageId], { outbox: parts, now: Date.now() }));
      const now = Date.now();
      const first = await store.claimDueOutbox("gw-1", now, 2, 10_000);
      assert.deepEqual(first.map((i) => i.text), ["part 1", "part 2"], "in order");
      assert.deepEqual(await store.claimDueOutbox("gw-2", now, 10, 10_000), [], "gw-1 is delivering this session");
      await store.markOutboxSent(first[0]!.id, now);
      await store.releaseOutboxClaims("gw-1");
      const second = await store.claimDueOutbox("gw-2", now, 10, 10_000);
      assert.deepEqual(second.map((i) => i.text), ["part 2", "part 3"], "released: gw-2 takes the rest, still in order");
      assert.deepEqual(await store.claimDueOutbox("gw-1", now, 10, 10_000), []);
      assert.deepEqual((await store.claimDueOutbox("gw-1", now + 10_001, 10, 10_000)).map((i) => i.text), ["part 2", "part 3"], "an expired claim is free");
    }));

    it("outbox claims keep a session's order: nothing behind an item that waits for its retry", withStore(async (store) => {
      const a = accepted(await store.accept(message("r1")));
      const parts = [1, 2, 3].map((n) => ({ key: `t:${n}`, channel: "api", to: { conversation: "c" }, text: `part ${n}` }));
      const now = Date.now();
      await store.completeTurn(turn(a.sessionId, [a.messageId], { outbox: parts, now }));
      const [first] = await store.claimDueOutbox("gw", now, 1, 1000);
      await store.markOutboxRetry(first!.id, now + 5_000, "429");
      assert.deepEqual(await store.claimDueOutbox("gw", now + 1, 10, 1000), [], "parts 2 and 3 wait for part 1");
      assert.equal(await store.nextOutboxDue(), now + 5_000, "the next due time is part 1's retry");
      assert.deepEqual((await store.claimDueOutbox("gw", now + 5_000, 10, 1000)).map((i) => i.text), ["part 1", "part 2", "part 3"]);
    }));

    it("a message's attachments are kept with its inbox item", withStore(async (store) => {
      const input = message("e1");
      input.item.attachments = [{ name: "notes.txt", mimeType: "text/plain", size: 10, url: "https://files.example/notes.txt" }];
      const a = accepted(await store.accept(input));
      const [item] = await store.pendingInbox(a.sessionId, 10);
      assert.deepEqual(item?.attachments, input.item.attachments);
      const b = accepted(await store.accept(message("e2", { user: "bob" })));
      assert.equal((await store.pendingInbox(b.sessionId, 10))[0]?.attachments, undefined);
    }));

    it("an outbox item that replaces a streaming placeholder keeps its editOf", withStore(async (store) => {
      const a = accepted(await store.accept(message("e1")));
      await store.completeTurn(turn(a.sessionId, [a.messageId], { outbox: [{ ...draft("t:0"), editOf: "ts-123" }, draft("t:1")] }));
      const [first, second] = await store.listOutbox(a.sessionId);
      assert.equal(first?.editOf, "ts-123");
      assert.equal(second?.editOf, undefined);
    }));

    describe("agent state and exposures", () => {
      it("a turn's agent state is saved with it, and kept by turns that save none", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        assert.equal(await store.getAgentState(a.sessionId), undefined);
        await store.completeTurn(turn(a.sessionId, [a.messageId], { agentState: { cliSession: "abc" } }));
        const b = accepted(await store.accept(message("e2")));
        await store.completeTurn(turn(b.sessionId, [b.messageId]));
        assert.deepEqual(await store.getAgentState(a.sessionId), { cliSession: "abc" });
      }));

      it("a turn that lost its race saves no agent state", withStore(async (store) => {
        const a = accepted(await store.accept(message("e1")));
        assert.equal(await store.completeTurn(turn(a.sessionId, [a.messageId], { agentState: { v: 1 } })), true);
        assert.equal(await store.completeTurn(turn(a.sessionId, [a.messageId], { agentState: { v: 2 } })), false);
        assert.deepEqual(await store.getAgentState(a.sessionId), { v: 1 });
      }));

      it("exposures are saved once, listed by parent, and evicted with their session", withStore(async (store) => {
        const parent = accepted(await store.accept(message("e1", { user: "alice" })));
        const sub = accepted(await store.accept(message("e2", { user: "alice", thread: "sub:1" })));
        const record = { id: "x1", parentSessionId: parent.sessionId, sessionId: sub.sessionId, agentId: "researcher", label: "Research", userId: "alice", createdAt: T0 };
        await store.saveExposure(record);
        await store.saveExposure({ ...record, label: "changed" });
        assert.deepEqual(await store.getExposure("x1"), record);
        assert.deepEqual(await store.listExposures(parent.sessionId), [record]);
        assert.equal(await store.getExposure("nope"), undefined);

        await store.completeTurn(turn(parent.sessionId, [parent.messageId]));
        await store.completeTurn(turn(sub.sessionId, [sub.messageId]));
        await store.evictExpired(T0 + TTL * 10, 100);
        assert.equal(await store.getExposure("x1"), undefined);
      }));
    });

    laneContract({ withStore, message, accepted, turn });
    bucketContract({ withStore });
    pairingContract(withStore);
    auditContract(withStore);
    scheduleContract(withStore);
    storedChannelsContract(withStore);

    it("close can be called twice", async () => {
      const store = await open();
      await store.close();
      await store.close();
    });
  });
}

function pick(item: OutboxItem | undefined) {
  assert.ok(item);
  const { status, attempts, nextAttemptAt, lastError, platformId, sentAt } = item;
  return { status, attempts, nextAttemptAt, lastError, platformId, sentAt };
}
