import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PollerLease } from "../../../src/core/poller-lease.ts";
import { silentLogger } from "../../../src/core/log.ts";

/** Leases as a store keeps them: one holder at a time, until it expires or is released. */
function storeLeases() {
  const leases = new Map<string, { holder: string; until: number }>();
  return (holder: string) => ({
    acquire: async (name: string, ttlMs: number) => {
      const lease = leases.get(name);
      if (lease && lease.holder !== holder && lease.until > Date.now()) return false;
      leases.set(name, { holder, until: Date.now() + ttlMs });
      return true;
    },
    release: async (name: string) => {
      if (leases.get(name)?.holder === holder) leases.delete(name);
    },
  });
}

describe("the poller lease", () => {
  it("is held by one gateway; the other takes over once it is released, or once it ran out", async () => {
    const leases = storeLeases();
    const events: string[] = [];
    const make = (who: string) =>
      new PollerLease({ name: "job", ttlMs: 600, leases: leases(who), log: silentLogger, onAcquired: () => events.push(`${who} on`), onLost: () => events.push(`${who} off`) });
    const a = make("a");
    const b = make("b");
    a.start();
    await sleep(20);
    b.start();
    await sleep(500); // several renewals
    assert.deepEqual([a.held, b.held], [true, false]);

    await a.stop();
    await a.release();
    await sleep(400);
    assert.deepEqual([a.held, b.held], [false, true], "released: b took over at its next try");

    // b dies without releasing (no more renewals): a gets it once it runs out.
    await b.stop();
    a.start();
    await sleep(150);
    assert.equal(a.held, false, "b's lease has not run out yet");
    await sleep(900);
    assert.equal(a.held, true);
    await a.stop();
    assert.deepEqual(events, ["a on", "b on", "a on"]);
  });

  it("stops counting as held when a renewal fails, and says so", async () => {
    let allow = true;
    const lost: string[] = [];
    const lease = new PollerLease({
      name: "job",
      ttlMs: 150,
      leases: { acquire: async () => allow, release: async () => {} },
      log: silentLogger,
      onLost: () => lost.push("lost"),
    });
    lease.start();
    await sleep(20);
    assert.equal(lease.held, true);
    allow = false;
    await sleep(120);
    assert.equal(lease.held, false);
    assert.deepEqual(lost, ["lost"]);
    await lease.stop();
  });
});
