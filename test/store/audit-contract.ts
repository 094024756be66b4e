/** The audit part of the Store contract: append in batches, filter, newest first, prune by age. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AuditEntry, Store } from "../../src/store/store.ts";

const T0 = 1_700_000_000_000;

export function auditContract(withStore: (fn: (store: Store) => Promise<void>) => () => Promise<void>): void {
  describe("audit", () => {
    it("keeps entries as written, lists them newest first, filtered, and prunes the old ones", withStore(async (store) => {
      const entries: AuditEntry[] = [
        { at: T0, kind: "accepted", channel: "slack", actor: "U1", sessionId: "s1" },
        { at: T0 + 1, kind: "rejected", channel: "slack", actor: "U2", reason: "you are not allowed to talk to this agent" },
        { at: T0 + 2, kind: "pairing.approved", channel: "telegram", actor: "admin:cli", subject: "42" },
        { at: T0 + 2, kind: "pairing.approved", channel: "telegram", actor: "admin:cli", subject: "42" },
      ];
      await store.appendAudit(entries.slice(0, 2));
      await store.appendAudit(entries.slice(2));
      await store.appendAudit([]);
      assert.deepEqual(await store.listAudit(), [entries[3], entries[2], entries[1], entries[0]], "identical entries are both kept");
      assert.deepEqual(await store.listAudit({ channel: "slack" }), [entries[1], entries[0]]);
      assert.deepEqual(await store.listAudit({ kind: "rejected" }), [entries[1]]);
      assert.deepEqual(await store.listAudit({ since: T0 + 1, limit: 2 }), [entries[3], entries[2]]);
      assert.equal(await store.pruneAudit(T0 + 2), 2);
      assert.deepEqual((await store.listAudit()).map((e) => e.kind), ["pairing.approved", "pairing.approved"]);
    }));
  });
}
