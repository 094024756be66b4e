/**
 * The stored-definition part of the Store contract (channels and schedules created through the API,
 * the CLI or an agent): create-only writes, compare-and-set on the version, listing and deleting, and
 * the two kinds kept apart. Called from runStoreContract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Store, StoredRecord } from "../../src/store/store.ts";

interface Kind {
  putStoredChannel(id: string, config: string, now: number, expectedVersion?: number): Promise<number | undefined>;
  getStoredChannel(id: string): Promise<StoredRecord | undefined>;
  listStoredChannels(): Promise<StoredRecord[]>;
  deleteStoredChannel(id: string): Promise<boolean>;
}

/** The schedule methods under the channel methods' names, so one suite checks both kinds. */
const schedules = (store: Store): Kind => ({
  putStoredChannel: (id, config, now, expected) => store.putStoredSchedule(id, config, now, expected),
  getStoredChannel: (id) => store.getStoredSchedule(id),
  listStoredChannels: () => store.listStoredSchedules(),
  deleteStoredChannel: (id) => store.deleteStoredSchedule(id),
});

export function storedChannelsContract(withStore: (fn: (store: Store) => Promise<void>) => () => Promise<void>): void {
  for (const [name, view] of [["stored channels", (s: Store): Kind => s], ["stored schedules", schedules]] as const) {
    storedRecords(name, (fn) => withStore((store) => fn(view(store))));
  }
  describe("stored definitions", () => {
    it("keeps channels and schedules apart", withStore(async (store) => {
      await store.putStoredChannel("same", "channel", 1, 0);
      await store.putStoredSchedule("same", "schedule", 1, 0);
      assert.equal((await store.getStoredChannel("same"))?.config, "channel");
      assert.equal((await store.getStoredSchedule("same"))?.config, "schedule");
      await store.deleteStoredSchedule("same");
      assert.equal((await store.getStoredChannel("same"))?.config, "channel");
    }));
  });
}

function storedRecords(name: string, withStore: (fn: (store: Kind) => Promise<void>) => () => Promise<void>): void {
  describe(name, () => {
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
