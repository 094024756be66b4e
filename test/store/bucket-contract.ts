/**
 * The token-bucket part of the Store contract (rate limits and the loop guard): every backend
 * refills, refuses and cools down the same way, on the caller's clock. Called from runStoreContract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Store } from "../../src/store/store.ts";

export interface BucketContractKit {
  withStore: (fn: (store: Store) => Promise<void>) => () => Promise<void>;
}

const T0 = 1_700_000_000_000;
/** 3 at once, then one every 2 s. */
const RATE = { capacity: 3, refillPerSecond: 0.5, cost: 1 };

export function bucketContract({ withStore }: BucketContractKit): void {
  describe("token buckets", () => {
    it("a new bucket lets its capacity through at once, then refuses with the wait for the next token", withStore(async (store) => {
      for (let i = 0; i < 3; i++) assert.deepEqual(await store.takeTokens("b", { ...RATE, now: T0 }), { allowed: true, retryAfterMs: 0, tripped: false }, `take ${i}`);
      assert.deepEqual(await store.takeTokens("b", { ...RATE, now: T0 }), { allowed: false, retryAfterMs: 2000, tripped: false });
      assert.deepEqual(await store.takeTokens("b", { ...RATE, now: T0 + 500 }), { allowed: false, retryAfterMs: 1500, tripped: false }, "a refused take costs nothing");
    }));

    it("refills with time, never past its capacity", withStore(async (store) => {
      for (let i = 0; i < 3; i++) await store.takeTokens("b", { ...RATE, now: T0 });
      assert.equal((await store.takeTokens("b", { ...RATE, now: T0 + 2000 })).allowed, true, "one token back after 2 s");
      assert.equal((await store.takeTokens("b", { ...RATE, now: T0 + 2000 })).allowed, false);
      // A long pause fills it to 3, not to 30.
      const later = T0 + 60_000;
      const verdicts = [];
      for (let i = 0; i < 4; i++) verdicts.push((await store.takeTokens("b", { ...RATE, now: later })).allowed);
      assert.deepEqual(verdicts, [true, true, true, false]);
    }));

    it("keeps one bucket per key", withStore(async (store) => {
      for (let i = 0; i < 3; i++) await store.takeTokens("alice", { ...RATE, now: T0 });
      assert.equal((await store.takeTokens("alice", { ...RATE, now: T0 })).allowed, false);
      assert.equal((await store.takeTokens("bob", { ...RATE, now: T0 })).allowed, true);
      assert.equal((await store.takeTokens("slack:U1", { ...RATE, now: T0 })).allowed, true, "keys with separators are just names");
    }));

    it("a take costing more than one needs that many tokens", withStore(async (store) => {
      assert.equal((await store.takeTokens("b", { ...RATE, cost: 2, now: T0 })).allowed, true);
      assert.deepEqual(await store.takeTokens("b", { ...RATE, cost: 2, now: T0 }), { allowed: false, retryAfterMs: 2000, tripped: false });
    }));

    it("with a cooldown, the first refusal trips it once and everything is refused until it ends", withStore(async (store) => {
      const guard = { ...RATE, cooldownMs: 60_000 };
      for (let i = 0; i < 3; i++) assert.equal((await store.takeTokens("peer", { ...guard, now: T0 })).allowed, true);
      assert.deepEqual(await store.takeTokens("peer", { ...guard, now: T0 + 100 }), { allowed: false, retryAfterMs: 60_000, tripped: true });
      // Long enough for tokens to come back, but still cooling down: refused, and not tripped again.
      assert.deepEqual(await store.takeTokens("peer", { ...guard, now: T0 + 30_100 }), { allowed: false, retryAfterMs: 30_000, tripped: false });
      assert.equal((await store.takeTokens("peer", { ...guard, now: T0 + 60_100 })).allowed, true, "the cooldown is over");
    }));

    it("a take stamped before the last one (another gateway's clock) refills nothing", withStore(async (store) => {
      for (let i = 0; i < 3; i++) await store.takeTokens("b", { ...RATE, now: T0 + 10_000 });
      assert.equal((await store.takeTokens("b", { ...RATE, now: T0 })).allowed, false);
      assert.equal((await store.takeTokens("b", { ...RATE, now: T0 + 12_000 })).allowed, true, "time runs on from the latest take");
    }));

    it("gateways taking at once share the bucket: exactly its capacity gets through", withStore(async (store) => {
      const verdicts = await Promise.all(Array.from({ length: 10 }, () => store.takeTokens("race", { ...RATE, now: T0 })));
      assert.equal(verdicts.filter((v) => v.allowed).length, 3);
    }));
  });
}
