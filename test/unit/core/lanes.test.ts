import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SessionLanes } from "../../../src/core/lanes.ts";
import { waitFor } from "../../helpers/gateway.ts";

/**
 * An in-memory stand-in for the store and the turn runner: each session has an inbox of items,
 * and one turn takes one item and "runs" for `turnMs`. It records what ran, and when.
 */
class FakeTurns {
  readonly inbox = new Map<string, string[]>();
  readonly done: string[] = [];
  readonly errors: unknown[] = [];
  active = 0;
  maxActive = 0;
  overlaps: string[] = [];
  private readonly runningSessions = new Set<string>();
  readonly lanes: SessionLanes;
  private readonly turnMs: (sessionId: string) => number;

  constructor(concurrency: number, turnMs: (sessionId: string) => number = () => 5) {
    this.turnMs = turnMs;
    this.lanes = new SessionLanes({
      concurrency,
      runTurn: (sessionId) => this.run(sessionId),
      onError: (_sessionId, error) => this.errors.push(error),
    });
  }

  push(sessionId: string, ...items: string[]): void {
    this.inbox.set(sessionId, [...(this.inbox.get(sessionId) ?? []), ...items]);
    this.lanes.wake(sessionId);
  }

  async run(sessionId: string): Promise<boolean> {
    if (this.runningSessions.has(sessionId)) this.overlaps.push(sessionId);
    this.runningSessions.add(sessionId);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const item = this.inbox.get(sessionId)?.shift();
      if (item === undefined) return false;
      await sleep(this.turnMs(sessionId));
      this.done.push(item);
      return true;
    } finally {
      this.active--;
      this.runningSessions.delete(sessionId);
    }
  }
}

describe("SessionLanes", () => {
  it("never runs more than `concurrency` turns at once, and finishes all of them", async () => {
    const turns = new FakeTurns(3, () => 2 + Math.floor(Math.random() * 8));
    for (let s = 0; s < 10; s++) turns.push(`s${s}`, `s${s}-1`, `s${s}-2`, `s${s}-3`);
    await waitFor(() => turns.done.length === 30, { what: "all 30 turns" });
    assert.deepEqual(turns.errors, []);
    assert.ok(turns.maxActive <= 3, `saw ${turns.maxActive} turns at once`);
    assert.equal(turns.maxActive, 3, "sessions should run in parallel up to the cap");
  });

  it("never runs two turns of one session at once, and keeps their order", async () => {
    const turns = new FakeTurns(8, () => 1 + Math.floor(Math.random() * 5));
    for (let i = 0; i < 20; i++) {
      turns.push("a", `a${i}`);
      turns.push("b", `b${i}`);
      await sleep(Math.random() < 0.5 ? 0 : 2);
    }
    await waitFor(() => turns.done.length === 40, { what: "all 40 turns" });
    assert.deepEqual(turns.overlaps, []);
    assert.deepEqual(turns.done.filter((item) => item.startsWith("a")), Array.from({ length: 20 }, (_, i) => `a${i}`));
    assert.deepEqual(turns.done.filter((item) => item.startsWith("b")), Array.from({ length: 20 }, (_, i) => `b${i}`));
  });

  it("a message that arrives while a turn finds the inbox empty is not stranded", async () => {
    let release!: () => void;
    const gap = new Promise<void>((resolve) => (release = resolve));
    const done: string[] = [];
    const inbox: string[] = [];
    let calls = 0;
    const lanes = new SessionLanes({
      concurrency: 1,
      async runTurn() {
        calls++;
        const item = inbox.shift();
        if (item === undefined) {
          // The turn saw an empty inbox and is about to go idle: the window the message must not fall into.
          if (calls === 1) await gap;
          return false;
        }
        done.push(item);
        return true;
      },
      onError: (_, error) => assert.fail(String(error)),
    });
    lanes.wake("s");
    assert.ok(lanes.isRunning("s"));
    inbox.push("late message");
    lanes.wake("s");
    release();
    await waitFor(() => done.length === 1, { what: "the late message to run", timeoutMs: 2000 });
    assert.deepEqual(done, ["late message"]);
  });

  it("is fair: with one slot, two busy sessions take turns", async () => {
    const turns = new FakeTurns(1, () => 1);
    turns.push("a", "a1", "a2", "a3");
    turns.push("b", "b1", "b2", "b3");
    await waitFor(() => turns.done.length === 6, { what: "six turns" });
    assert.deepEqual(turns.done, ["a1", "b1", "a2", "b2", "a3", "b3"]);
  });

  it("drain() waits for running turns and starts no new ones", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    let started = 0;
    const lanes = new SessionLanes({
      concurrency: 1,
      async runTurn() {
        started++;
        await gate;
        finished = true;
        return true;
      },
      onError: () => undefined,
    });
    lanes.wake("a");
    lanes.wake("b");
    let drained = false;
    const draining = lanes.drain().then(() => (drained = true));
    await sleep(30);
    assert.equal(drained, false, "drain() resolved while a turn was still running");
    release();
    await draining;
    assert.equal(finished, true);
    lanes.wake("c");
    await sleep(20);
    assert.equal(started, 1, "no turn starts after drain(), not even the queued one");
  });

  it("reports an error in a turn and retries the session later", async () => {
    let attempts = 0;
    const errors: Array<{ sessionId: string; error: unknown }> = [];
    let delivered = false;
    const lanes = new SessionLanes({
      concurrency: 2,
      async runTurn() {
        attempts++;
        if (attempts === 1) throw new Error("store unavailable");
        if (delivered) return false;
        delivered = true;
        return true;
      },
      onError: (sessionId, error) => errors.push({ sessionId, error }),
    });
    lanes.wake("flaky");
    await waitFor(() => errors.length === 1, { what: "the error report", timeoutMs: 1000 });
    assert.equal(errors[0]!.sessionId, "flaky");
    assert.match(String(errors[0]!.error), /store unavailable/);
    assert.equal(lanes.isRunning("flaky"), false, "the failed session is not left running");
    await waitFor(() => delivered, { what: "the retry", timeoutMs: 5000 });
    assert.equal(errors.length, 1);
    await lanes.drain();
  });
});
