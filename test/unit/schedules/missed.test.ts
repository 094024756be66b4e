/**
 * Slots that pass while no gateway runs: with `missed: skip` none of them fires (one record says
 * how many were missed) and the next slot fires as usual; with `run-once` exactly one fires, the
 * latest. A gateway a little late (within the grace) still fires the slot.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openSqliteStore } from "../../../src/store/sqlite/index.ts";
import type { ScheduleDefinition } from "../../../src/core/schedules/spec.ts";
import { at, FireRecorder, iso, ManualClock, runUntil, scheduler, tempDbFile } from "./kit.ts";

/** Runs an hourly schedule until 06:30, stops the gateway, and starts a new one at `restartAt`. */
async function downtime(missed: ScheduleDefinition["missed"], restartAt: string) {
  const file = tempDbFile();
  const hourly: ScheduleDefinition[] = [{ name: "hourly", cron: "0 * * * *", ...(missed ? { missed } : {}) }];
  const clock = new ManualClock(at("2026-06-01T05:30:00Z"));
  const recorder = new FireRecorder(clock);
  const before = await openSqliteStore(file);
  const first = scheduler(before, clock, recorder, hourly);
  first.start();
  await runUntil(clock, [first], at("2026-06-01T06:30:00Z"));
  await first.stop();
  await before.close();
  assert.deepEqual(recorder.slotsOf("hourly"), ["2026-06-01T06:00:00.000Z"]);

  clock.set(at(restartAt));
  const store = await openSqliteStore(file);
  const second = scheduler(store, clock, recorder, hourly);
  second.start();
  return { clock, recorder, store, second };
}

describe("missed slots after downtime", () => {
  it("skip (the default): none of the 3 missed slots fires, one record counts them, the next slot fires normally", async () => {
    const { clock, recorder, store, second } = await downtime(undefined, "2026-06-01T09:30:00Z");
    try {
      await runUntil(clock, [second], at("2026-06-01T09:59:59Z"));
      assert.deepEqual(recorder.slotsOf("hourly"), ["2026-06-01T06:00:00.000Z"], "07:00, 08:00 and 09:00 do not fire");
      const [skipped] = await store.listScheduleRuns({ schedule: "hourly", limit: 1 });
      assert.deepEqual([skipped?.slot, skipped?.status, skipped?.reason, skipped?.missed], ["2026-06-01T09:00:00.000Z", "skipped", "missed", 3]);
      await runUntil(clock, [second], at("2026-06-01T10:30:00Z"));
      assert.deepEqual(recorder.firings.slice(1).map((f) => [f.slot, iso(f.firedAt)]), [["2026-06-01T10:00:00.000Z", "2026-06-01T10:00:00.000Z"]]);
    } finally {
      await second.stop();
      await store.close();
    }
  });

  it("run-once: exactly one of the 3 missed slots fires, at once, then the next slot normally", async () => {
    const { clock, recorder, store, second } = await downtime("run-once", "2026-06-01T09:30:00Z");
    try {
      await runUntil(clock, [second], at("2026-06-01T10:30:00Z"));
      assert.deepEqual(recorder.firings.slice(1).map((f) => [f.slot, iso(f.firedAt)]), [
        ["2026-06-01T09:00:00.000Z", "2026-06-01T09:30:00.000Z"],
        ["2026-06-01T10:00:00.000Z", "2026-06-01T10:00:00.000Z"],
      ]);
      const runs = await store.listScheduleRuns({ schedule: "hourly" });
      assert.deepEqual(runs.map((r) => [r.slot, r.status]), [
        ["2026-06-01T10:00:00.000Z", "delivered"],
        ["2026-06-01T09:00:00.000Z", "delivered"],
        ["2026-06-01T06:00:00.000Z", "delivered"],
      ]);
    } finally {
      await second.stop();
      await store.close();
    }
  });

  it("skip still fires a slot the gateway is back for within the grace (a restart at 09:00:30)", async () => {
    const { clock, recorder, store, second } = await downtime("skip", "2026-06-01T09:00:30Z");
    try {
      await runUntil(clock, [second], at("2026-06-01T09:30:00Z"));
      assert.deepEqual(recorder.slotsOf("hourly"), ["2026-06-01T06:00:00.000Z", "2026-06-01T09:00:00.000Z"], "07:00 and 08:00 are passed over");
    } finally {
      await second.stop();
      await store.close();
    }
  });
});
