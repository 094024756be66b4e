/**
 * The schedule part of the Store contract: a slot is claimed once whoever asks and whenever, a
 * run whose holder stopped renewing is taken over, a stale holder can record nothing, overlapping
 * runs are skipped, and pause, failures and the cursor live in the store. Called from runStoreContract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ScheduleClaim, ScheduleClaimOutcome, ScheduleRun, Store } from "../../src/store/store.ts";

const T0 = 1_700_000_000_000;
const LEASE = 10_000;

function claim(slotAt: number, fields: Partial<ScheduleClaim> = {}): ScheduleClaim {
  return { schedule: "daily", slot: new Date(slotAt).toISOString(), slotAt, holder: "g1", now: slotAt, leaseMs: LEASE, advanceCursor: true, ...fields };
}

function claimed(outcome: ScheduleClaimOutcome): ScheduleRun {
  assert.equal(outcome.status, "claimed", `expected claimed, got ${JSON.stringify(outcome)}`);
  return (outcome as { run: ScheduleRun }).run;
}

export function scheduleContract(withStore: (fn: (store: Store) => Promise<void>) => () => Promise<void>): void {
  describe("schedules", () => {
    it("claims a slot once, whoever asks and however late", withStore(async (store) => {
      const run = claimed(await store.claimScheduleRun(claim(T0)));
      assert.deepEqual(run, {
        schedule: "daily", slot: new Date(T0).toISOString(), slotAt: T0, status: "started", holder: "g1", claimedUntil: T0 + LEASE, attempts: 1,
        startedAt: T0, finishedAt: undefined, deliveredAt: undefined, sessionId: undefined, reason: undefined, missed: undefined, error: undefined,
      });
      assert.deepEqual(await store.claimScheduleRun(claim(T0, { holder: "g2", now: T0 + 1 })), { status: "taken" });
      assert.equal(await store.updateScheduleRun({ schedule: "daily", slot: run.slot, holder: "g1", status: "delivered", now: T0 + 50, countsForBackoff: true }), true);
      assert.deepEqual(await store.claimScheduleRun(claim(T0, { holder: "g2", now: T0 + LEASE * 10 })), { status: "taken" }, "a run that is over is never run again");
      assert.equal((await store.claimScheduleRun(claim(T0, { schedule: "other" }))).status, "claimed", "slots are per schedule");
    }));

    it("moves the cursor up with every claim of a regular slot, never down", withStore(async (store) => {
      assert.equal(await store.getScheduleState("daily"), undefined);
      await store.claimScheduleRun(claim(T0 + 60_000));
      assert.deepEqual(await store.getScheduleState("daily"), { paused: false, cursor: T0 + 60_000, failures: 0, lastFailureAt: undefined });
      await store.claimScheduleRun(claim(T0, { slot: "older" }));
      assert.equal((await store.getScheduleState("daily"))?.cursor, T0 + 60_000);
      await store.claimScheduleRun(claim(T0 + 60_000, { holder: "g2" }));
      await store.claimScheduleRun(claim(T0 + 120_000, { slot: "manual:1", advanceCursor: false }));
      assert.equal((await store.getScheduleState("daily"))?.cursor, T0 + 60_000, "taken and non-advancing claims leave it");
    }));

    it("records a new slot as skipped (overlap) while another run is under a live claim", withStore(async (store) => {
      const first = claimed(await store.claimScheduleRun(claim(T0)));
      const second = await store.claimScheduleRun(claim(T0 + 1_000));
      assert.equal(second.status, "skipped");
      assert.equal(second.status === "skipped" && second.run.reason, "overlap");
      assert.deepEqual(await store.claimScheduleRun(claim(T0 + 1_000, { holder: "g2" })), { status: "taken" }, "the skip is recorded once");
      await store.updateScheduleRun({ schedule: "daily", slot: first.slot, holder: "g1", status: "finished", now: T0 + 2_000, countsForBackoff: true });
      assert.equal((await store.claimScheduleRun(claim(T0 + 3_000))).status, "skipped", "a finished run still delivering still overlaps");
      await store.updateScheduleRun({ schedule: "daily", slot: first.slot, holder: "g1", status: "delivered", now: T0 + 4_000, countsForBackoff: true });
      claimed(await store.claimScheduleRun(claim(T0 + 5_000)));
    }));

    it("hands a run whose holder stopped renewing to another gateway, and fences the old holder off", withStore(async (store) => {
      const run = claimed(await store.claimScheduleRun(claim(T0)));
      assert.equal(await store.renewScheduleRun("daily", run.slot, "g1", T0 + 5_000 + LEASE), true);
      assert.deepEqual(await store.claimScheduleRun(claim(T0, { holder: "g2", now: T0 + LEASE + 1 })), { status: "taken" }, "renewed: still held");
      const taken = claimed(await store.claimScheduleRun(claim(T0, { holder: "g2", now: T0 + 5_000 + LEASE })));
      assert.equal(taken.holder, "g2");
      assert.equal(taken.attempts, 2);
      assert.equal(taken.startedAt, T0, "the run keeps its start");
      assert.equal(await store.renewScheduleRun("daily", run.slot, "g1", T0 + 99_999), false);
      assert.equal(await store.updateScheduleRun({ schedule: "daily", slot: run.slot, holder: "g1", status: "failed", now: T0 + 1, error: "late", countsForBackoff: true }), false);
      assert.equal((await store.getScheduleState("daily"))?.failures, 0, "the stale holder's failure is not counted");
      assert.equal(await store.updateScheduleRun({ schedule: "daily", slot: run.slot, holder: "g2", status: "delivered", now: T0 + 20_000, sessionId: "s1", countsForBackoff: true }), true);
      const [stored] = await store.listScheduleRuns({ schedule: "daily" });
      assert.equal(stored?.status, "delivered");
      assert.equal(stored?.sessionId, "s1");
      assert.equal(stored?.deliveredAt, T0 + 20_000);
    }));

    it("counts consecutive failures of scheduled runs, and a delivery resets them", withStore(async (store) => {
      const update = (slot: string, status: "finished" | "delivered" | "failed", now: number, countsForBackoff = true) =>
        store.updateScheduleRun({ schedule: "daily", slot, holder: "g1", status, now, countsForBackoff, ...(status === "failed" ? { error: "agent down" } : {}) });
      const a = claimed(await store.claimScheduleRun(claim(T0)));
      await update(a.slot, "failed", T0 + 10);
      const b = claimed(await store.claimScheduleRun(claim(T0 + 60_000)));
      await update(b.slot, "failed", T0 + 60_010);
      assert.deepEqual(await store.getScheduleState("daily"), { paused: false, cursor: T0 + 60_000, failures: 2, lastFailureAt: T0 + 60_010 });
      const [failed] = await store.listScheduleRuns({ schedule: "daily", limit: 1 });
      assert.equal(failed?.error, "agent down");
      assert.equal(failed?.finishedAt, T0 + 60_010);
      const manual = claimed(await store.claimScheduleRun(claim(T0 + 70_000, { slot: "manual:x", advanceCursor: false })));
      await update(manual.slot, "delivered", T0 + 70_010, false);
      assert.equal((await store.getScheduleState("daily"))?.failures, 2, "a run-now does not count");
      const c = claimed(await store.claimScheduleRun(claim(T0 + 120_000)));
      await update(c.slot, "finished", T0 + 120_005);
      assert.equal((await store.listScheduleRuns({ schedule: "daily", open: true }))[0]?.status, "finished");
      await update(c.slot, "delivered", T0 + 120_010);
      assert.deepEqual(await store.getScheduleState("daily"), { paused: false, cursor: T0 + 120_000, failures: 0, lastFailureAt: undefined });
      const [delivered] = await store.listScheduleRuns({ schedule: "daily", limit: 1 });
      assert.equal(delivered?.finishedAt, T0 + 120_005, "finished when the turn ended");
      assert.equal(delivered?.deliveredAt, T0 + 120_010);
      assert.deepEqual(await store.listScheduleRuns({ schedule: "daily", open: true }), []);
    }));

    it("records a slot skipped as missed once, with how many slots it stands for", withStore(async (store) => {
      const outcome = await store.claimScheduleRun(claim(T0, { skip: { reason: "missed", missed: 3 } }));
      assert.equal(outcome.status, "skipped");
      const run = (outcome as { run: ScheduleRun }).run;
      assert.deepEqual([run.status, run.reason, run.missed, run.attempts], ["skipped", "missed", 3, 0]);
      assert.deepEqual(await store.claimScheduleRun(claim(T0, { holder: "g2" })), { status: "taken" });
      assert.equal((await store.getScheduleState("daily"))?.cursor, T0);
    }));

    it("queues a run-now that one gateway claims, or skips it while another run is going", withStore(async (store) => {
      assert.equal(await store.queueScheduleRun("daily", "manual:a", T0), true);
      assert.equal(await store.queueScheduleRun("daily", "manual:a", T0 + 1), false, "a slot id is queued once");
      const [queued] = await store.listScheduleRuns({ open: true });
      assert.deepEqual([queued?.status, queued?.slotAt, queued?.holder, queued?.attempts], ["queued", T0, undefined, 0]);
      const run = claimed(await store.claimScheduleRun(claim(T0 + 5, { slot: "manual:a", advanceCursor: false })));
      assert.deepEqual([run.status, run.holder, run.attempts, run.startedAt, run.slotAt], ["started", "g1", 1, T0 + 5, T0]);
      assert.deepEqual(await store.claimScheduleRun(claim(T0 + 6, { slot: "manual:a", holder: "g2", advanceCursor: false })), { status: "taken" });
      assert.equal(await store.getScheduleState("daily"), undefined, "a run-now moves no cursor");

      await store.queueScheduleRun("daily", "manual:b", T0 + 10);
      const skipped = await store.claimScheduleRun(claim(T0 + 11, { slot: "manual:b", advanceCursor: false }));
      assert.equal(skipped.status, "skipped");
      assert.equal((skipped as { run: ScheduleRun }).run.reason, "overlap");
    }));

    it("lists runs newest slot first, per schedule or all, and prunes old runs that are over", withStore(async (store) => {
      const deliver = async (schedule: string, slotAt: number) => {
        const run = claimed(await store.claimScheduleRun(claim(slotAt, { schedule })));
        await store.updateScheduleRun({ schedule, slot: run.slot, holder: "g1", status: "delivered", now: slotAt + 1, countsForBackoff: true });
      };
      await deliver("a", T0);
      await deliver("b", T0 + 1_000);
      await deliver("a", T0 + 2_000);
      claimed(await store.claimScheduleRun(claim(T0 + 500, { schedule: "c" })));
      const slots = (runs: ScheduleRun[]) => runs.map((r) => `${r.schedule}@${r.slotAt - T0}`);
      assert.deepEqual(slots(await store.listScheduleRuns()), ["a@2000", "b@1000", "c@500", "a@0"]);
      assert.deepEqual(slots(await store.listScheduleRuns({ schedule: "a" })), ["a@2000", "a@0"]);
      assert.deepEqual(slots(await store.listScheduleRuns({ limit: 2 })), ["a@2000", "b@1000"]);
      assert.deepEqual(slots(await store.listScheduleRuns({ open: true })), ["c@500"]);
      assert.deepEqual(await store.listScheduleRuns({ schedule: "nope" }), []);
      assert.equal(await store.pruneScheduleRuns(T0 + 1_500), 2, "a@0 and b@1000 go; c@500 is still open");
      assert.deepEqual(slots(await store.listScheduleRuns()), ["a@2000", "c@500"]);
    }));

    it("keeps pause in the store; resuming moves the cursor up to now", withStore(async (store) => {
      assert.deepEqual(await store.initScheduleState("daily", T0), { paused: false, cursor: T0, failures: 0, lastFailureAt: undefined });
      assert.equal((await store.initScheduleState("daily", T0 + 5)).cursor, T0, "init keeps an existing state");
      assert.equal((await store.setSchedulePaused("daily", true, T0 + 10)).paused, true);
      assert.deepEqual(await store.getScheduleState("daily"), { paused: true, cursor: T0, failures: 0, lastFailureAt: undefined });
      assert.deepEqual(await store.setSchedulePaused("daily", false, T0 + 60_000), { paused: false, cursor: T0 + 60_000, failures: 0, lastFailureAt: undefined });
      await store.claimScheduleRun(claim(T0 + 120_000));
      assert.equal((await store.setSchedulePaused("daily", false, T0 + 90_000)).cursor, T0 + 120_000, "never moves it back");
      assert.deepEqual(await store.setSchedulePaused("fresh", true, T0), { paused: true, cursor: T0, failures: 0, lastFailureAt: undefined }, "pausing a schedule never seen creates its state");
    }));
  });
}
