/**
 * The pairing part of the Store contract: codes for unknown senders, one pending request per
 * sender, a cap per channel, expiry, and approval. Called from runStoreContract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { PairingInput, Store } from "../../src/store/store.ts";

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function ask(senderId: string, code: string, fields: Partial<PairingInput> = {}): PairingInput {
  return { channel: "slack", senderId, senderName: senderId.toUpperCase(), code, now: T0, ttlMs: HOUR, maxPending: 3, ...fields };
}

export function pairingContract(withStore: (fn: (store: Store) => Promise<void>) => () => Promise<void>): void {
  describe("pairing", () => {
    it("gives an unknown sender a code, and the same one again while it is pending", withStore(async (store) => {
      const first = await store.requestPairing(ask("U1", "AAAA2222"));
      assert.deepEqual(first, { status: "issued", request: { channel: "slack", code: "AAAA2222", senderId: "U1", senderName: "U1", createdAt: T0, expiresAt: T0 + HOUR } });
      const again = await store.requestPairing(ask("U1", "BBBB3333", { now: T0 + 1000 }));
      assert.equal(again.status, "pending");
      assert.equal(again.status === "pending" && again.request.code, "AAAA2222", "the pending code, not a new one");
      assert.deepEqual((await store.listPairingRequests("slack", T0 + 1000)).map((r) => r.code), ["AAAA2222"]);
    }));

    it("caps pending requests per channel, refuses a code already in use, and forgets expired ones", withStore(async (store) => {
      for (const [i, sender] of ["U1", "U2", "U3"].entries()) assert.equal((await store.requestPairing(ask(sender, `CODE000${i}`))).status, "issued");
      assert.deepEqual(await store.requestPairing(ask("U4", "CODE0004")), { status: "full" });
      assert.equal((await store.requestPairing(ask("U4", "CODE0004", { channel: "telegram" }))).status, "issued", "the cap is per channel");
      assert.deepEqual(await store.requestPairing(ask("U5", "CODE0004", { channel: "telegram" })), { status: "taken" });
      const later = T0 + HOUR;
      assert.deepEqual(await store.listPairingRequests("slack", later), [], "expired after the TTL");
      assert.equal((await store.requestPairing(ask("U4", "CODE0005", { now: later }))).status, "issued", "expired requests no longer count");
      assert.deepEqual((await store.listPairingRequests(undefined, later)).map((r) => `${r.channel}:${r.senderId}`), ["slack:U4"]);
    }));

    it("approving a code lets its sender in, once; a wrong, expired or other channel's code approves nobody", withStore(async (store) => {
      await store.requestPairing(ask("U1", "AAAA2222"));
      await store.requestPairing(ask("U2", "CCCC4444", { ttlMs: 1000 }));
      assert.equal(await store.approvePairing("slack", "ZZZZ9999", T0), undefined, "unknown code");
      assert.equal(await store.approvePairing("telegram", "AAAA2222", T0), undefined, "another channel's code");
      assert.equal(await store.approvePairing("slack", "CCCC4444", T0 + 1000), undefined, "expired");
      assert.equal(await store.isSenderApproved("slack", "U2"), false);
      assert.equal(await store.isSenderApproved("slack", "U1"), false, "not before approval");
      const approved = await store.approvePairing("slack", "AAAA2222", T0 + 1005);
      assert.equal(approved?.senderId, "U1");
      assert.equal(await store.isSenderApproved("slack", "U1"), true);
      assert.equal(await store.isSenderApproved("telegram", "U1"), false, "approval is per channel");
      assert.equal(await store.approvePairing("slack", "AAAA2222", T0 + 1006), undefined, "a code works once");
      assert.deepEqual(await store.listPairingRequests("slack", T0 + 1006), []);
      assert.equal(await store.revokeSender("slack", "U1"), true);
      assert.equal(await store.isSenderApproved("slack", "U1"), false);
      assert.equal(await store.revokeSender("slack", "U1"), false);
    }));
  });
}
