/**
 * The lane part of the Store contract: one gateway at a time runs a session's turns, and a
 * gateway whose lane was taken over cannot commit (fencing). Called from runStoreContract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AcceptInput, AcceptOutcome, Store, TurnCommit } from "../../src/store/store.ts";

export interface LaneContractKit {
  withStore: (fn: (store: Store) => Promise<void>) => () => Promise<void>;
  message: (eventId: string) => AcceptInput;
  accepted: (outcome: AcceptOutcome) => { sessionId: string; messageId: string };
  turn: (sessionId: string, messageIds: string[], fields?: Partial<TurnCommit>) => TurnCommit;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function laneContract({ withStore, message, accepted, turn }: LaneContractKit): void {
  describe("lanes", () => {
    it("a lane has one holder; its holder extends it under the same token", withStore(async (store) => {
      const token = await store.acquireLane("s1", "gw-a", 10_000);
      assert.ok(token !== undefined && token > 0);
      assert.equal(await store.acquireLane("s1", "gw-b", 10_000), undefined, "held by gw-a");
      assert.equal(await store.acquireLane("s1", "gw-a", 10_000), token, "gw-a again: same token");
      assert.ok((await store.acquireLane("s2", "gw-b", 10_000)) !== undefined, "lanes are per session");
      assert.equal(await store.renewLane("s1", { holder: "gw-a", token }, 10_000), true);
      assert.equal(await store.renewLane("s1", { holder: "gw-b", token }, 10_000), false, "not gw-b's");
    }));

    it("a released or expired lane is taken under a larger token, and the old holder has lost it", withStore(async (store) => {
      const first = (await store.acquireLane("s1", "gw-a", 10_000))!;
      await store.releaseLane("s1", { holder: "gw-b", token: first });
      assert.equal(await store.acquireLane("s1", "gw-b", 10_000), undefined, "gw-b cannot release gw-a's lane");
      await store.releaseLane("s1", { holder: "gw-a", token: first });
      const second = (await store.acquireLane("s1", "gw-b", 150))!;
      assert.ok(second > first, `released: a new, larger token (${second} > ${first})`);
      await sleep(250);
      const third = (await store.acquireLane("s1", "gw-a", 10_000))!;
      assert.ok(third > second, `expired: taken over under a larger token (${third} > ${second})`);
      assert.equal(await store.renewLane("s1", { holder: "gw-b", token: second }, 10_000), false, "gw-b lost it");
      await store.releaseLane("s1", { holder: "gw-b", token: second });
      assert.equal(await store.acquireLane("s1", "gw-b", 10_000), undefined, "a stale release leaves the new holder alone");
    }));

    it("an expired lane nobody took is still its holder's to renew", withStore(async (store) => {
      const token = (await store.acquireLane("s1", "gw-a", 100))!;
      await sleep(200);
      assert.equal(await store.renewLane("s1", { holder: "gw-a", token }, 10_000), true);
      assert.equal(await store.acquireLane("s1", "gw-b", 10_000), undefined, "renewed: held again");
    }));

    it("a turn commits only under the lane it ran under (fencing)", withStore(async (store) => {
      const a = accepted(await store.accept(message("f1")));
      const stale = (await store.acquireLane(a.sessionId, "gw-a", 100))!;
      await sleep(200);
      const current = (await store.acquireLane(a.sessionId, "gw-b", 10_000))!;
      const staleCommit = turn(a.sessionId, [a.messageId], { reply: "stale", outbox: [{ key: "t:0", channel: "chat", to: { conversation: "c" }, text: "stale" }], lane: { holder: "gw-a", token: stale } });
      assert.equal(await store.completeTurn(staleCommit), false, "gw-a's lane was taken over: its turn is discarded");
      assert.deepEqual(await store.listOutbox(a.sessionId), [], "nothing of the stale turn is recorded");
      assert.equal((await store.getMessage("chat", "f1"))?.status, "pending");
      assert.equal(await store.completeTurn(turn(a.sessionId, [a.messageId], { reply: "fresh", lane: { holder: "gw-b", token: current } })), true);
      assert.equal((await store.getMessage("chat", "f1"))?.reply, "fresh");
    }));

    it("a turn whose lane expired but was not taken over still commits", withStore(async (store) => {
      const a = accepted(await store.accept(message("f2")));
      const token = (await store.acquireLane(a.sessionId, "gw-a", 100))!;
      await sleep(200);
      assert.equal(await store.completeTurn(turn(a.sessionId, [a.messageId], { lane: { holder: "gw-a", token } })), true);
    }));
  });
}
