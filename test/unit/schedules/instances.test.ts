/**
 * Several gateways on one store: two schedulers (two sqlite connections to one file, or two Redis
 * connections under one prefix) fire each slot once between them; a restarted gateway never fires
 * a slot that was dealt with; a run cut off by a killed gateway is taken over once, by one
 * gateway, under the same slot, after its claim runs out.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openSqliteStore } from "../../../src/store/sqlite/index.ts";
import { openRedisStore } from "../../../src/store/redis/index.ts";
import type { Store } from "../../../src/store/store.ts";
import type { ScheduleDefinition } from "../../../src/core/schedules/spec.ts";
import { deleteKeysUnder, TEST_REDIS, uniquePrefix } from "../../helpers/cluster/redis-keys.ts";
import { at, FireRecorder, ManualClock, runUntil, scheduler, settle, tempDbFile } from "./kit.ts";

const MINUTE = 60_000;

type OpenStores = () => Promise<{ open: () => Promise<Store> }>;

const sqliteFile: OpenStores = async () => {
  const file = tempDbFile();
  return { open: () => openSqliteStore(file) };
};

const prefixes: string[] = [];
after(async () => {
  for (const prefix of prefixes) await deleteKeysUnder(prefix);
});

const redisPrefix: OpenStores = async () => {
  const prefix = uniquePrefix("schedules");
  prefixes.push(prefix);
  return { open: () => openRedisStore(TEST_REDIS, { prefix }) };
};

function instancesSuite(name: string, stores: OpenStores): void {
  describe(`two gateways on one ${name} store`, () => {
    it("fire each slot of 6 schedules exactly once over 30 minutes", async () => {
      const { open } = await stores();
      const [storeA, storeB] = [await open(), await open()];
      const clock = new ManualClock(at("2026-06-01T10:00:30Z"));
      const recorder = new FireRecorder(clock);
      const schedules: ScheduleDefinition[] = [
        ...[1, 2, 3, 4, 5].map((i) => ({ name: `every-${i}`, every: MINUTE })),
        { name: "cron-even", cron: "*/2 * * * *" },
      ];
      const a = scheduler(storeA, clock, recorder, schedules, { holder: "gateway-a" });
      const b = scheduler(storeB, clock, recorder, schedules, { holder: "gateway-b" });
      a.start();
      b.start();
      try {
        await runUntil(clock, [a, b], at("2026-06-01T10:30:30Z"));
        for (const schedule of schedules) {
          const slots = recorder.slotsOf(schedule.name);
          const expected = schedule.every ? 30 : 15;
          assert.equal(slots.length, expected, `${schedule.name}: ${slots.join(", ")}`);
          assert.equal(new Set(slots).size, expected, `${schedule.name} fired a slot twice`);
        }
        const runs = await storeA.listScheduleRuns({ limit: 1000 });
        assert.equal(runs.length, 165);
        assert.ok(runs.every((r) => r.status === "delivered" && r.attempts === 1), "every run delivered, by one gateway");
      } finally {
        await Promise.all([a.stop(), b.stop()]);
        await Promise.all([storeA.close(), storeB.close()]);
      }
    });

    it("a restarted gateway never fires a slot that was dealt with", async () => {
      const { open } = await stores();
      const clock = new ManualClock(at("2026-06-01T10:00:30Z"));
      const recorder = new FireRecorder(clock);
      const schedules: ScheduleDefinition[] = [{ name: "minutely", cron: "* * * * *", missed: "run-once" }];
      const before = await open();
      const first = scheduler(before, clock, recorder, schedules, { holder: "before" });
      first.start();
      await runUntil(clock, [first], at("2026-06-01T10:02:10Z"));
      await first.stop();
      await before.close();

      // Back within the same minute: run-once would fire a missed slot, but 10:02 was not missed.
      clock.set(at("2026-06-01T10:02:40Z"));
      const store = await open();
      const second = scheduler(store, clock, recorder, schedules, { holder: "after" });
      second.start();
      try {
        await runUntil(clock, [second], at("2026-06-01T10:03:30Z"));
        assert.deepEqual(recorder.firings.map((f) => [f.slot.slice(11, 16), f.holder]), [["10:01", "before"], ["10:02", "before"], ["10:03", "after"]]);
      } finally {
        await second.stop();
        await store.close();
      }
    });

    it("a run cut off by a killed gateway is taken over once its claim runs out, under the same slot", async () => {
      const { open } = await stores();
      const [storeA, storeB, storeC] = [await open(), await open(), await open()];
      const start = at("2026-06-01T10:00:59Z");
      // The killed gateway keeps its own clock, which stops with it: it renews nothing more.
      const frozen = new ManualClock(start);
      const clock = new ManualClock(start);
      const recorder = new FireRecorder(clock);
      recorder.behaviour = (f) => (f.holder === "killed" ? "hang" : "deliver");
      const schedules: ScheduleDefinition[] = [{ name: "report", cron: "1 10 * * *" }];
      const killed = scheduler(storeA, frozen, recorder, schedules, { holder: "killed", leaseMs: 30_000 });
      killed.start();
      await runUntil(frozen, [killed], at("2026-06-01T10:01:00Z"), recorder);
      assert.deepEqual(recorder.firings.map((f) => f.holder), ["killed"]);

      clock.set(at("2026-06-01T10:01:00Z"));
      const b = scheduler(storeB, clock, recorder, schedules, { holder: "b", leaseMs: 30_000 });
      const c = scheduler(storeC, clock, recorder, schedules, { holder: "c", leaseMs: 30_000 });
      b.start();
      c.start();
      try {
        await runUntil(clock, [b, c], at("2026-06-01T10:01:29Z"));
        assert.equal(recorder.firings.length, 1, "not while the claim may still be renewed");
        await runUntil(clock, [b, c], at("2026-06-01T10:02:30Z"));
        const resumed = recorder.firings.slice(1);
        assert.equal(resumed.length, 1, `taken over once: ${JSON.stringify(resumed)}`);
        assert.equal(resumed[0]?.slot, "2026-06-01T10:01:00.000Z");
        assert.equal(resumed[0]?.attempts, 2);
        assert.equal(resumed[0]?.firedAt, at("2026-06-01T10:01:30Z"));

        // The killed gateway's run ends after all (it was only frozen): it may record nothing.
        recorder.release();
        await killed.whenIdle();
        const [run] = await storeB.listScheduleRuns({ schedule: "report" });
        assert.deepEqual([run?.status, run?.holder, run?.attempts], ["delivered", resumed[0]?.holder, 2]);
      } finally {
        await Promise.all([killed.stop(), b.stop(), c.stop()]);
        await Promise.all([storeA.close(), storeB.close(), storeC.close()]);
      }
    });
  });
}

instancesSuite("sqlite", sqliteFile);
instancesSuite("redis", redisPrefix);

describe("settle", () => {
  it("is what the tests above rely on: a pass, then the firings done", async () => {
    const { open } = await sqliteFile();
    const store = await open();
    const clock = new ManualClock(at("2026-06-01T10:00:00Z"));
    const recorder = new FireRecorder(clock);
    const s = scheduler(store, clock, recorder, [{ name: "x", every: MINUTE }]);
    try {
      await settle([s]);
      clock.set(at("2026-06-01T10:01:00Z"));
      await settle([s]);
      assert.deepEqual(recorder.slotsOf("x"), ["2026-06-01T10:01:00.000Z"]);
      assert.equal((await store.listScheduleRuns({ schedule: "x" }))[0]?.status, "delivered", "settled means recorded, too");
    } finally {
      await store.close();
    }
  });
});
