/**
 * The stored-channel part of the Store contract (channels created through the API or CLI):
 * create-only writes, compare-and-set on the version, listing and deleting. Called from runStoreContract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Store } from "../../src/store/store.ts";

export function storedChannelsContract(withStore: (fn: (store: Store) => Promise<void>) => () => Promise<void>): void {
  describe("stored channels", () => {
    it("creates with version 1, refuses a second create, and updates only from the version it read", withStore(async (store) => {
      assert.equal(await store.getStoredChannel("hook"), undefined);
      assert.equal(await store.putStoredChannel("hook", '{"type":"webhook","v":1}', 1000, 0), 1);
      assert.equal(await store.putStoredChannel("hook", '{"type":"webhook","v":"again"}', 1001, 0), undefined, "a create of an existing id fails");
      assert.equal(await store.putStoredChannel("hook", '{"type":"webhook","v":2}', 2000, 1), 2);
      assert.equal(await store.putStoredChannel("hook", '{"type":"webhook","v":"stale"}', 2001, 1), undefined, "a write from a stale version fails");
      assert.deepEqual(await store.getStoredChannel("hook"), { id: "hook", config: '{"type":"webhook","v":2}', version: 2, updatedAt: 2000 });
      assert.equal(await store.putStoredChannel("hook", '{"type":"webhook","v":3}', 3000), 3, "no expected version: written whatever it was");
    }));

    it("lists by id and deletes", withStore(async (store) => {
      await store.putStoredChannel("b-chan", "{}", 1, 0);
      await store.putStoredChannel("a:chan {x}", "{}", 2, 0);
      assert.deepEqual((await store.listStoredChannels()).map((c) => c.id), ["a:chan {x}", "b-chan"]);
      assert.equal(await store.deleteStoredChannel("b-chan"), true);
      assert.equal(await store.deleteStoredChannel("b-chan"), false);
      assert.deepEqual((await store.listStoredChannels()).map((c) => c.id), ["a:chan {x}"]);
      assert.equal(await store.putStoredChannel("b-chan", "{}", 3, 0), 1, "a deleted id starts again at version 1");
    }));
  });
}
