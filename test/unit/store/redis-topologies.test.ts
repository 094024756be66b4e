/**
 * The redis store through Redis Sentinel and Redis Cluster: private servers started here (a
 * master with one Sentinel; three Cluster masters), the shared Store contract through the
 * `redis+sentinel://` and `redis+cluster://` URLs, and what only these topologies promise: a
 * Sentinel failover followed, a whole Cluster store in one slot.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { openStore } from "../../../src/store/open.ts";
import type { AcceptInput, Store } from "../../../src/store/store.ts";
import { runStoreContract } from "../../store/contract.ts";
import { ask, startCluster, startRedis, startSentinel, type RedisCluster, type RedisProcess } from "../../helpers/redis-servers.ts";

const RUN = `sbtopo:${randomUUID().slice(0, 8)}`;
let stores = 0;
const freshPrefix = () => `${RUN}:${++stores}:`;

let master: RedisProcess | undefined;
let sentinel: RedisProcess | undefined;
let cluster: RedisCluster | undefined;

before(async () => {
  [master, cluster] = await Promise.all([startRedis(), startCluster()]);
  sentinel = await startSentinel(master);
});

after(async () => {
  await Promise.all([sentinel?.stop(), master?.stop(), cluster?.stop()]);
});

function sentinelUrl(prefix: string, path = "mymaster"): string {
  return `redis+sentinel://127.0.0.1:${sentinel!.port}/${path}?prefix=${encodeURIComponent(prefix)}`;
}

function clusterUrl(prefix: string): string {
  // Only one seed node: the client must find the other two, and the slot's owner, by itself.
  return `redis+cluster://127.0.0.1:${cluster!.nodes[0]!.port}?prefix=${encodeURIComponent(prefix)}`;
}

runStoreContract("redis via Sentinel", () => openStore(sentinelUrl(freshPrefix())));
runStoreContract("redis on Cluster", () => openStore(clusterUrl(freshPrefix())));

function message(eventId: string): AcceptInput {
  return {
    channel: "chat",
    eventId,
    now: Date.now(),
    dedupeTtlMs: 60_000,
    session: { agent: "echo", ttlMs: 60_000, threadKey: { channel: "chat", key: `dm:${eventId}` } },
    item: { kind: "message", text: `hi ${eventId}`, sender: { id: eventId }, replyTo: { conversation: eventId } },
    maxPendingPerSession: 10,
  };
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A few sessions' worth of keys: several sessions, dedupe keys, the thread map, the indexes. */
async function fill(store: Store): Promise<void> {
  for (const id of ["a", "b", "c", "d"]) assert.equal((await store.accept(message(id))).status, "accepted");
  await store.setChannelState("mail", "checkpoint", "1");
}

/** Every key matching `pattern` on one server, in database `db`. */
async function keysOn(port: number, pattern: string, db = 0): Promise<string[]> {
  const redis = new Redis({ host: "127.0.0.1", port, db, lazyConnect: true, maxRetriesPerRequest: 0 });
  const found: string[] = [];
  try {
    await redis.connect();
    for (let cursor = "0"; ;) {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      found.push(...keys);
      cursor = next;
      if (cursor === "0") return found;
    }
  } finally {
    redis.disconnect();
  }
}

describe("redis store via Sentinel", () => {
  it("finds the master through the Sentinel and writes there, in the URL's database", async () => {
    const prefix = freshPrefix();
    const store = await openStore(sentinelUrl(prefix, "mymaster/3"));
    try {
      await fill(store);
    } finally {
      await store.close();
    }
    assert.ok((await keysOn(master!.port, `${prefix}*`, 3)).length > 5, "the store's keys are on the master, in db 3");
    assert.deepEqual(await keysOn(master!.port, `${prefix}*`), [], "and nothing in db 0");
  });

  it("an unknown master name fails the start with the reason, quickly", async () => {
    const started = Date.now();
    await assert.rejects(
      openStore(`redis+sentinel://:secret-pass@127.0.0.1:${sentinel!.port}/nosuchmaster`),
      (error: Error) => {
        assert.match(error.message, /^store: cannot connect to redis at redis\+sentinel:\/\/:••••@127\.0\.0\.1:\d+\/nosuchmaster \(/);
        assert.doesNotMatch(error.message, /secret-pass/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5_000, `gave up after ${Date.now() - started} ms`);
  });
});

describe("redis store via Sentinel, through a failover", () => {
  it("follows the replica the Sentinel promotes when the master dies, with what was written before", async () => {
    // Diskless replication waits 5 s by default for more replicas before the first sync.
    const first = await startRedis(["repl-diskless-sync-delay 0"]);
    const servers = [first];
    try {
      const replica = await startRedis([`replicaof 127.0.0.1 ${first.port}`]);
      servers.push(replica);
      const watcher = await startSentinel(first, "failover");
      servers.push(watcher);
      const prefix = freshPrefix();
      const store = await openStore(`redis+sentinel://127.0.0.1:${watcher.port}/failover?prefix=${encodeURIComponent(prefix)}`);
      try {
        assert.equal((await store.accept(message("before"))).status, "accepted");
        await until(async () => (await keysOn(replica.port, `${prefix}*`)).length > 0, "the replica to have the first message");

        await first.kill();
        // The Sentinel would fail over by itself after down-after-milliseconds; asking saves the wait.
        await until(async () => String(await ask(watcher.port, "SENTINEL", "FAILOVER", "failover").catch(() => "")) === "OK", "the Sentinel to start a failover");
        await until(async () => ((await ask(watcher.port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "failover")) as string[])[1] === String(replica.port), "the replica's promotion");

        // Store calls fail while the client looks for the new master; a caller sends again, as on a 5xx.
        await until(async () => (await store.accept(message("after")).catch(() => undefined))?.status === "accepted", "a write through the Sentinel");
        assert.equal((await store.getMessage("chat", "before"))?.text, "hi before");
        assert.equal((await store.getMessage("chat", "after"))?.text, "hi after");
        assert.equal((await keysOn(replica.port, `${prefix}event:chat:after`)).length, 1, "the new message is on the promoted server");
      } finally {
        await store.close();
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  });
});

describe("redis store on Cluster", () => {
  it("keeps a whole store in one hash slot under a hash-tagged prefix, whichever node owns it", async () => {
    const prefix = freshPrefix();
    const store = await openStore(clusterUrl(prefix));
    try {
      await fill(store);
    } finally {
      await store.close();
    }
    const tagged = `{${prefix.slice(0, -1)}}:`;
    const perNode = await Promise.all(cluster!.nodes.map((node) => keysOn(node.port, `${tagged}*`)));
    const keys = perNode.flat();
    assert.ok(keys.length > 5, `expected the store's keys under ${tagged}, got ${JSON.stringify(keys)}`);
    assert.equal(perNode.filter((found) => found.length > 0).length, 1, "all on one node");
    const slots = new Set(await Promise.all(keys.map((key) => ask(cluster!.nodes[0]!.port, "CLUSTER", "KEYSLOT", key))));
    assert.equal(slots.size, 1, `one slot, got ${[...slots].join(", ")}`);
    assert.ok(keys.some((key) => key.includes("{s:")), "per-session keys are among them");
  });

  it("keeps a prefix that already has a hash tag as it is", async () => {
    const prefix = `{${RUN}-own}:sb:`;
    const store = await openStore(clusterUrl(prefix));
    try {
      await fill(store);
      const keys = (await Promise.all(cluster!.nodes.map((node) => keysOn(node.port, `${prefix}*`)))).flat();
      assert.ok(keys.length > 5, `expected keys under ${prefix}, got ${JSON.stringify(keys)}`);
    } finally {
      await store.close();
    }
  });

  it("no reachable seed node fails the start with the reason", async () => {
    await assert.rejects(openStore("redis+cluster://user:secret-pass@127.0.0.1:1,127.0.0.1:2"), (error: Error) => {
      assert.match(error.message, /^store: cannot connect to redis at redis\+cluster:\/\/user:••••@127\.0\.0\.1:1,127\.0\.0\.1:2 \(/);
      assert.doesNotMatch(error.message, /secret-pass/);
      return true;
    });
  });
});
