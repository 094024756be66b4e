/**
 * What happens to runs: one still going makes the next slot a recorded skip; failures back off
 * 30 s → 1 m → 5 m → 15 m → 60 m; a failed one-shot is retried; pause and run-now reach a
 * running scheduler through the store alone, as the CLI does.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pauseSchedule, requestRunNow, resumeSchedule } from "../../../src/core/schedules/control.ts";
import { BACKOFF_STEPS_MS } from "../../../src/core/schedules/backoff.ts";
import { at, FireRecorder, iso, ManualClock, runUntil, scheduler, settle, tempStore } from "./kit.ts";

const MINUTE = 60_000;

describe("schedule runs", () => {
  it("skips and records a slot while the previous run of the schedule is still going", async () => {
    const store = await tempStore();
    const clock = new ManualClock(at("2026-06-01T10:00:30Z"));
    const recorder = new FireRecorder(clock);
    recorder.behaviour = (f) => (f.slot === "2026-06-01T10:01:00.000Z" ? "hang" : "deliver");
    const s = scheduler(store, clock, recorder, [{ name: "minutely", every: MINUTE }], { leaseMs: 10 * MINUTE });
    s.start();
    try {
      await runUntil(clock, [s], at("2026-06-01T10:02:30Z"), recorder);
      assert.deepEqual(recorder.slotsOf("minutely"), ["2026-06-01T10:01:00.000Z"], "10:02 did not start beside the hanging run");
      const [skipped, running] = await store.listScheduleRuns({ schedule: "minutely" });
      assert.deepEqual([skipped?.slot, skipped?.status, skipped?.reason], ["2026-06-01T10:02:00.000Z", "skipped", "overlap"]);
      assert.equal(running?.status, "started");
      assert.equal((await s.list())[0]?.running?.slot, "2026-06-01T10:01:00.000Z");

      recorder.release();
      await s.whenIdle();
      await runUntil(clock, [s], at("2026-06-01T10:03:30Z"));
      assert.deepEqual(recorder.slotsOf("minutely"), ["2026-06-01T10:01:00.000Z", "2026-06-01T10:03:00.000Z"]);
      assert.equal((await store.listScheduleRuns({ schedule: "minutely", limit: 3 }))[2]?.status, "delivered", "the long run was recorded delivered");
    } finally {
      await s.stop();
      await store.close();
    }
  });

  it("backs off after consecutive failures: 30 s, 1 m, 5 m, 15 m, 60 m, 60 m; a delivery ends it", async () => {
    const store = await tempStore();
    const start = at("2026-06-01T10:00:00Z");
    const clock = new ManualClock(start - 5_000);
    const recorder = new FireRecorder(clock);
    recorder.behaviour = "fail";
    const s = scheduler(store, clock, recorder, [{ name: "often", every: 10_000 }]);
    s.start();
    try {
      const gaps = () => recorder.firings.slice(1).map((f, i) => f.firedAt - recorder.firings[i]!.firedAt);
      await runUntil(clock, [s], start + 3 * 3_600_000);
      assert.deepEqual(gaps(), [...BACKOFF_STEPS_MS, 3_600_000]);
      assert.deepEqual(recorder.firings.map((f) => f.slotAt - f.firedAt), recorder.firings.map(() => 0), "each fired on a slot of its own grid");

      const [failed] = await store.listScheduleRuns({ schedule: "often", limit: 1 });
      assert.equal(failed?.status, "failed");
      assert.match(failed?.error ?? "", /^agent unreachable/);
      assert.doesNotMatch(failed?.error ?? "", /sk-secret-value/, "a secret in the error is scrubbed before it is stored");
      const [status] = await s.list();
      assert.equal(status?.failures, 7, "one failure per firing");
      assert.equal(status?.nextRunAt, recorder.firings.at(-1)!.firedAt + 3_600_000);

      recorder.behaviour = "deliver";
      const resumedAt = recorder.firings.at(-1)!.firedAt + 3_600_000;
      await runUntil(clock, [s], resumedAt + 30_000);
      assert.deepEqual(recorder.firings.slice(7).map((f) => f.firedAt - resumedAt), [0, 10_000, 20_000, 30_000], "every 10 s again after a delivery");
      assert.equal((await s.list())[0]?.failures, 0);
    } finally {
      await s.stop();
      await store.close();
    }
  });

  it("retries a failed one-shot after each backoff step until it is delivered, each retry its own slot", async () => {
    const store = await tempStore();
    const moment = at("2026-06-01T10:00:00Z");
    const clock = new ManualClock(moment - MINUTE);
    const recorder = new FireRecorder(clock);
    recorder.behaviour = () => (recorder.firings.length <= 2 ? "fail" : "deliver");
    const s = scheduler(store, clock, recorder, [{ name: "once", at: moment }]);
    s.start();
    try {
      await runUntil(clock, [s], moment + 3 * 3_600_000);
      assert.deepEqual(recorder.firings.map((f) => [f.slot, f.firedAt - moment]), [
        ["2026-06-01T10:00:00.000Z", 0],
        ["2026-06-01T10:00:00.000Z#retry1", 30_000],
        ["2026-06-01T10:00:00.000Z#retry2", 90_000],
      ]);
      assert.deepEqual((await store.listScheduleRuns({ schedule: "once" })).map((r) => r.status), ["delivered", "failed", "failed"]);
    } finally {
      await s.stop();
      await store.close();
    }
  });

  it("pause and resume through the store reach a running scheduler; paused slots are not made up", async () => {
    const store = await tempStore();
    const clock = new ManualClock(at("2026-06-01T10:00:30Z"));
    const recorder = new FireRecorder(clock);
    const s = scheduler(store, clock, recorder, [{ name: "minutely", every: MINUTE, missed: "run-once" }]);
    s.start();
    try {
      await runUntil(clock, [s], at("2026-06-01T10:01:30Z"));
      await pauseSchedule(store, "minutely", clock.now()); // what `switchboard schedules pause` does
      await runUntil(clock, [s], at("2026-06-01T10:05:30Z"));
      assert.deepEqual(recorder.slotsOf("minutely"), ["2026-06-01T10:01:00.000Z"]);
      assert.equal((await s.list())[0]?.paused, true);
      assert.equal((await s.list())[0]?.nextRunAt, undefined);

      await resumeSchedule(store, "minutely", clock.now());
      await runUntil(clock, [s], at("2026-06-01T10:06:30Z"));
      assert.deepEqual(recorder.slotsOf("minutely"), ["2026-06-01T10:01:00.000Z", "2026-06-01T10:06:00.000Z"], "10:02 to 10:05 are neither run nor missed");
      assert.equal((await store.listScheduleRuns({ schedule: "minutely" })).length, 2);
    } finally {
      await s.stop();
      await store.close();
    }
  });

  it("runs a run-now asked for through the store, as its own slot, even while paused, without touching the schedule's slots or failures", async () => {
    const store = await tempStore();
    const clock = new ManualClock(at("2026-06-01T08:00:00Z"));
    const recorder = new FireRecorder(clock);
    const s = scheduler(store, clock, recorder, [{ name: "daily", cron: "0 9 * * *" }], { pollMs: 5_000 });
    s.start();
    try {
      await settle([s]);
      await s.pause("daily");
      const slot = await requestRunNow(store, "daily", clock.now()); // `switchboard schedules run-now`, no API
      clock.set(clock.now() + 5_000); // the next poll
      await settle([s]);
      assert.deepEqual(recorder.firings.map((f) => [f.slot, f.manual, iso(f.firedAt)]), [[slot, true, "2026-06-01T08:00:05.000Z"]]);
      assert.match(slot, /^manual:[0-9a-f-]{36}$/);
      const [run] = await store.listScheduleRuns({ schedule: "daily" });
      assert.deepEqual([run?.slot, run?.status, run?.sessionId], [slot, "delivered", "session-daily"]);

      recorder.behaviour = "fail";
      const viaScheduler = await s.runNow("daily");
      await s.whenIdle();
      assert.equal(recorder.firings.at(-1)?.slot, viaScheduler);
      assert.equal((await s.list())[0]?.failures, 0, "a failed run-now does not make the schedule back off");
      await s.resume("daily");
      recorder.behaviour = "deliver";
      await runUntil(clock, [s], at("2026-06-01T09:00:00Z"));
      assert.equal(recorder.firings.at(-1)?.slot, "2026-06-01T09:00:00.000Z", "the schedule's own slot still fires");
    } finally {
      await s.stop();
      await store.close();
    }
  });

  it("refuses run-now and pause for a schedule it does not know, and run-now for a disabled one", async () => {
    const store = await tempStore();
    const clock = new ManualClock(at("2026-06-01T08:00:00Z"));
    const s = scheduler(store, clock, new FireRecorder(clock), [{ name: "daily", cron: "0 9 * * *", enabled: false }]);
    try {
      await assert.rejects(s.runNow("nightly"), { status: 404, message: 'unknown schedule "nightly" (known: daily)' });
      await assert.rejects(s.pause("nightly"), { status: 404 });
      await assert.rejects(s.runNow("daily"), { status: 409, message: /disabled/ });
    } finally {
      await store.close();
    }
  });
});
