/**
 * The redis backend: the shared Store contract against the Redis on 127.0.0.1:6379, each store
 * under its own prefix, plus what only redis promises (prefix isolation, TTLs, reopening). Every
 * key a test wrote is deleted afterwards, so runs leave nothing behind.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { openRedisStore } from "../../../src/store/redis/index.ts";
import type { AcceptInput, AcceptOutcome, Store } from "../../../src/store/store.ts";
import { runStoreContract } from "../../store/contract.ts";

const URL = "redis://127.0.0.1:6379";
const RUN = `sbtest:${randomUUID()}:`;
let stores = 0;
const freshPrefix = () => `${RUN}${++stores}:`;

const admin = new Redis(URL, { lazyConnect: true });
after(async () => {
  await deleteKeys(admin, RUN);
  await admin.quit();
});

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
}

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found;
}

runStoreContract("redis", () => openRedisStore(URL, { prefix: freshPrefix() }));

const T0 = 1_700_000_000_000;

function input(eventId: string, user = "alice"): AcceptInput {
  return {
    channel: "chat",
    eventId,
    now: T0,
    dedupeTtlMs: 60_000,
    session: { agent: "echo", ttlMs: 60_000, threadKey: { channel: "chat", key: `dm:${user}` } },
    item: { kind: "message", text: `hi ${eventId}`, sender: { id: user }, replyTo: { conversation: "c1" } },
    maxPendingPerSession: 10,
  };
}

function sessionIdOf(outcome: AcceptOutcome): string {
  assert.equal(outcome.status, "accepted");
  return outcome.sessionId;
}

async function withStore(prefix: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await openRedisStore(URL, { prefix });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

describe("redis store", () => {
  it("keeps every key under its prefix", async () => {
    const prefix = freshPrefix();
    await withStore(prefix, async (store) => {
      const sessionId = sessionIdOf(await store.accept(input("e1")));
      await store.setChannelState("mail", "checkpoint", "1");
      await store.acquireLease("poll", "gw", 10_000);
      await store.completeTurn({
        sessionId,
        messageIds: [(await store.getMessage("chat", "e1"))!.id],
        status: "done",
        reply: "ok",
        transcript: [{ role: "assistant", text: "ok", at: T0 }],
        outbox: [{ key: "t:0", channel: "chat", to: { conversation: "c1" }, text: "ok" }],
        now: T0,
      });
      const keys = await keysUnder(prefix);
      assert.ok(keys.length > 5, `expected the store's keys, got ${JSON.stringify(keys)}`);
      assert.ok(keys.some((key) => key.includes(`{s:${sessionId}}`)), "per-session keys carry the session hash tag");
    });
  });

  it("two stores with different prefixes do not see each other", async () => {
    const first = await openRedisStore(URL, { prefix: freshPrefix() });
    const second = await openRedisStore(URL, { prefix: freshPrefix() });
    try {
      const a = sessionIdOf(await first.accept(input("e1")));
      assert.equal(await second.getSession(a), undefined);
      assert.equal(await second.getMessage("chat", "e1"), undefined);
      assert.deepEqual(await second.sessionsWithPending(), []);
      const b = sessionIdOf(await second.accept(input("e1")));
      assert.notEqual(b, a, "the same event on another store is not a duplicate");
      assert.deepEqual(await first.sessionsWithPending(), [a]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("dedupe and thread keys carry TTLs", async () => {
    const prefix = freshPrefix();
    await withStore(prefix, async (store) => {
      await store.accept(input("e1"));
      const dedupe = await admin.pttl(`${prefix}dedupe:chat:e1`);
      assert.ok(dedupe > 0 && dedupe <= 60_000, `dedupe TTL ${dedupe}`);
      const thread = await admin.pttl(`${prefix}thread:chat:${encodeURIComponent("dm:alice")}`);
      assert.ok(thread > 60_000, `thread TTL ${thread}`);
    });
  });

  it("ids with braces and colons stay in their own keys", async () => {
    await withStore(freshPrefix(), async (store) => {
      const odd = { ...input("ev:{1}"), session: { agent: "echo", ttlMs: 60_000, existingId: "s:{x}" } };
      assert.equal(sessionIdOf(await store.accept(odd)), "s:{x}");
      assert.equal((await store.getSession("s:{x}"))?.id, "s:{x}");
      assert.equal((await store.getMessage("chat", "ev:{1}"))?.sessionId, "s:{x}");
      assert.equal((await store.pendingInbox("s:{x}", 10)).length, 1);
      assert.equal((await store.accept(odd)).status, "duplicate");
    });
  });

  it("a store reopened on the same prefix sees the data", async () => {
    const prefix = freshPrefix();
    let sessionId = "";
    await withStore(prefix, async (store) => {
      sessionId = sessionIdOf(await store.accept(input("e1")));
      await store.setChannelState("mail", "checkpoint", "7:42");
    });
    await withStore(prefix, async (store) => {
      assert.deepEqual((await store.pendingInbox(sessionId, 10)).map((item) => item.text), ["hi e1"]);
      assert.deepEqual(await store.sessionsWithPending(), [sessionId]);
      assert.equal(await store.getChannelState("mail", "checkpoint"), "7:42");
      assert.equal((await store.accept(input("e1"))).status, "duplicate");
      assert.equal(sessionIdOf(await store.accept(input("e2"))), sessionId, "the thread map survives too");
    });
  });

  it("concurrent accepts on one thread key open one session", async () => {
    await withStore(freshPrefix(), async (store) => {
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => store.accept(input(`c${i}`))));
      assert.equal(new Set(outcomes.map(sessionIdOf)).size, 1);
      assert.equal(outcomes.filter((o) => o.status === "accepted" && o.newSession).length, 1);
    });
  });
});
