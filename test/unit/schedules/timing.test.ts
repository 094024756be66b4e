/**
 * When schedules fire, on a clock the test moves: local times across both 2026 DST changes in
 * Berlin, a time that does not exist on the spring-forward day, intervals on a fixed grid, and a
 * one-shot that fires once and never again after a restart.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openSqliteStore } from "../../../src/store/sqlite/index.ts";
import { at, FireRecorder, iso, ManualClock, runUntil, scheduler, tempDbFile, tempStore } from "./kit.ts";

describe("schedule timing", () => {
  it('fires "0 9 * * *" in Europe/Berlin at 09:00 local on the days around both DST changes', async () => {
    const store = await tempStore();
    const clock = new ManualClock(at("2026-03-27T12:00:00Z"));
    const recorder = new FireRecorder(clock);
    const daily = scheduler(store, clock, recorder, [{ name: "daily", cron: "0 9 * * *", timezone: "Europe/Berlin" }]);
    daily.start();
    try {
      await runUntil(clock, [daily], at("2026-03-31T00:00:00Z"));
      // CET (UTC+1) before the spring-forward on 2026-03-29, CEST (UTC+2) from that day on.
      assert.deepEqual(recorder.slotsOf("daily"), ["2026-03-28T08:00:00.000Z", "2026-03-29T07:00:00.000Z", "2026-03-30T07:00:00.000Z"]);
      clock.set(at("2026-10-23T12:00:00Z"));
      await runUntil(clock, [daily], at("2026-10-27T00:00:00Z"));
      // A stop of months is downtime: those slots were missed (skip), not fired.
      assert.deepEqual(recorder.slotsOf("daily").slice(3), ["2026-10-24T07:00:00.000Z", "2026-10-25T08:00:00.000Z", "2026-10-26T08:00:00.000Z"]);
      assert.deepEqual(
        recorder.firings.map((f) => f.firedAt - f.slotAt),
        recorder.firings.map(() => 0),
        "each fired when its slot came, not late",
      );
    } finally {
      await daily.stop();
      await store.close();
    }
  });

  it('fires "30 2 * * *" (Berlin) at 03:00 on the spring-forward day and once on the fall-back day, as croner documents', async () => {
    // croner: a time in the DST gap runs at the first valid time after the gap, the same day;
    // a time that occurs twice runs once, at its first occurrence.
    const store = await tempStore();
    const clock = new ManualClock(at("2026-03-27T12:00:00Z"));
    const recorder = new FireRecorder(clock);
    const night = scheduler(store, clock, recorder, [{ name: "night", cron: "30 2 * * *", timezone: "Europe/Berlin" }]);
    night.start();
    try {
      await runUntil(clock, [night], at("2026-03-31T00:00:00Z"));
      assert.deepEqual(recorder.slotsOf("night"), [
        "2026-03-28T01:30:00.000Z", // 02:30 CET
        "2026-03-29T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST
        "2026-03-30T00:30:00.000Z", // 02:30 CEST
      ]);
      clock.set(at("2026-10-23T12:00:00Z"));
      await runUntil(clock, [night], at("2026-10-27T00:00:00Z"));
      assert.deepEqual(recorder.slotsOf("night").slice(3), [
        "2026-10-24T00:30:00.000Z", // 02:30 CEST
        "2026-10-25T00:30:00.000Z", // 02:30 CEST, the first of two 02:30s; not again at 01:30Z
        "2026-10-26T01:30:00.000Z", // 02:30 CET
      ]);
    } finally {
      await night.stop();
      await store.close();
    }
  });

  it("fires every: 2h on even UTC hours, whenever the gateway started", async () => {
    const store = await tempStore();
    const clock = new ManualClock(at("2026-06-01T01:15:00Z"));
    const recorder = new FireRecorder(clock);
    const every = scheduler(store, clock, recorder, [{ name: "pulse", every: 2 * 3_600_000 }]);
    every.start();
    try {
      await runUntil(clock, [every], at("2026-06-01T07:00:00Z"));
      assert.deepEqual(recorder.slotsOf("pulse"), ["2026-06-01T02:00:00.000Z", "2026-06-01T04:00:00.000Z", "2026-06-01T06:00:00.000Z"]);
      assert.equal(clock.nextTimerAt, at("2026-06-01T08:00:00Z"), "it sleeps until the next slot");
    } finally {
      await every.stop();
      await store.close();
    }
  });

  it("fires an at: schedule once, at its moment, and never again after a restart", async () => {
    const file = tempDbFile();
    const clock = new ManualClock(at("2026-05-01T06:00:00Z"));
    const recorder = new FireRecorder(clock);
    const once = [{ name: "launch", at: at("2026-05-01T07:00:00Z") }];
    const store = await openSqliteStore(file);
    const first = scheduler(store, clock, recorder, once);
    first.start();
    await runUntil(clock, [first], at("2026-05-01T08:00:00Z"));
    assert.deepEqual(recorder.firings.map((f) => [f.slot, iso(f.firedAt)]), [["2026-05-01T07:00:00.000Z", "2026-05-01T07:00:00.000Z"]]);
    assert.equal(clock.nextTimerAt, at("2026-05-01T08:00:00Z") + 7 * 86_400_000, "nothing left but the poll");
    await first.stop();
    await store.close();

    const reopened = await openSqliteStore(file);
    const second = scheduler(reopened, clock, recorder, once);
    second.start();
    try {
      await runUntil(clock, [second], at("2026-05-03T00:00:00Z"));
      assert.equal(recorder.firings.length, 1, "the restarted gateway does not fire it again");
      const [run] = await reopened.listScheduleRuns({ schedule: "launch" });
      assert.equal(run?.status, "delivered");
      const [status] = await second.list();
      assert.equal(status?.nextRunAt, undefined);
      assert.equal(status?.lastRun?.slot, "2026-05-01T07:00:00.000Z");
    } finally {
      await second.stop();
      await reopened.close();
    }
  });

  it("lists each schedule with its next run, in its time zone", async () => {
    const store = await tempStore();
    const clock = new ManualClock(at("2026-03-28T12:00:00Z"));
    const list = scheduler(store, clock, new FireRecorder(clock), [
      { name: "daily", cron: "0 9 * * *", timezone: "Europe/Berlin" },
      { name: "later", at: at("2026-04-01T00:00:00Z") },
      { name: "off", every: 60_000, enabled: false },
    ]);
    try {
      const statuses = await list.list();
      assert.deepEqual(
        statuses.map((s) => [s.name, s.kind, s.enabled, s.paused, s.nextRunAt === undefined ? undefined : iso(s.nextRunAt)]),
        [
          ["daily", "cron", true, false, "2026-03-29T07:00:00.000Z"],
          ["later", "at", true, false, "2026-04-01T00:00:00.000Z"],
          ["off", "every", false, false, undefined],
        ],
      );
    } finally {
      await store.close();
    }
  });
});
