import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LaneLeases } from "../../../src/core/lane-lease.ts";
import { silentLogger } from "../../../src/core/log.ts";
import { openSqliteStore } from "../../../src/store/sqlite/index.ts";

describe("the lane lease", () => {
  it("stays valid past its TTL while its heartbeat renews it, and is given up on release", async () => {
    const store = await openSqliteStore(":memory:");
    const a = new LaneLeases({ store, log: silentLogger }, "gw-a", 150);
    const b = new LaneLeases({ store, log: silentLogger }, "gw-b", 150);
    const lease = await a.acquire("s1");
    assert.ok(lease?.valid);
    await sleep(400);
    assert.ok(lease.valid, "renewed every 50 ms");
    assert.equal(await b.acquire("s1"), undefined, "still gw-a's");
    await lease.release();
    assert.equal(lease.valid, false);
    const taken = await b.acquire("s1");
    assert.ok(taken && taken.hold.token > lease.hold.token, "gw-b takes it under a larger token");
    await taken.release();
    await store.close();
  });

  it("is lost, and aborts, when the store says another gateway took it over", async () => {
    const store = await openSqliteStore(":memory:");
    const lease = (await new LaneLeases({ store, log: silentLogger }, "gw-a", 300).acquire("s1"))!;
    // What a takeover looks like in the store once gw-a's lease ran out unrenewed.
    await store.releaseLane("s1", lease.hold);
    const taken = (await new LaneLeases({ store, log: silentLogger }, "gw-b", 300).acquire("s1"))!;
    const reason = await new Promise((resolve) => lease.signal.addEventListener("abort", () => resolve(lease.signal.reason), { once: true }));
    assert.equal(reason, "lane-lost");
    assert.equal(lease.valid, false);
    await lease.release();
    assert.equal(await store.renewLane("s1", taken.hold, 300), true, "a lost lease's release leaves the new holder alone");
    await taken.release();
    await store.close();
  });

  it("is lost once the store has been unreachable for a TTL: the gateway must assume a takeover", async () => {
    const store = await openSqliteStore(":memory:");
    const lease = (await new LaneLeases({ store, log: silentLogger }, "gw-a", 200).acquire("s1"))!;
    await store.close(); // every renewal now fails
    assert.ok(lease.valid, "still within its TTL");
    await new Promise((resolve) => lease.signal.addEventListener("abort", resolve, { once: true }));
    assert.equal(lease.valid, false);
    await lease.release();
  });
});
