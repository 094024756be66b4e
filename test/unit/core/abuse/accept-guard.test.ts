/**
 * The abuse guard in the accept step, on a real (in-memory sqlite) store: caps refuse with 413,
 * the loop guard pauses a sender and says so once, rates refuse with 429 and when to try again.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openSqliteStore } from "../../../../src/store/sqlite/index.ts";
import { createLogger } from "../../../../src/core/log.ts";
import { makeEnvelope, type Envelope } from "../../../../src/core/envelope.ts";
import type { AcceptContext } from "../../../../src/core/accept.ts";
import { abuseGuard } from "../../../../src/core/abuse/accept-guard.ts";
import type { ChannelLimits } from "../../../../src/core/abuse/config.ts";
import type { Store } from "../../../../src/store/store.ts";

const NO_LIMITS: ChannelLimits = { perSender: undefined, perChannel: undefined, loopGuard: undefined, maxMessageChars: 100, maxAttachments: 2 };

type Outcome = { passed: true } | { passed: false; reason: string; status: number };

/** Runs one envelope through the guard as the accept step would; `passed` means it reached the commit. */
async function run(guard: ReturnType<typeof abuseGuard>, envelope: Envelope): Promise<Outcome> {
  let outcome: Outcome = { passed: true };
  let reachedNext = false;
  const ctx = {
    envelope,
    route: { agent: "echo" },
    result: undefined,
    reject(reason: string, status = 403) {
      outcome = { passed: false, reason, status };
    },
  } as AcceptContext;
  await guard(ctx, async () => {
    reachedNext = true;
  });
  assert.equal(reachedNext, outcome.passed, "a refused message never reaches the commit");
  return outcome;
}

let seq = 0;
const message = (fields: Partial<Envelope> & { user?: string } = {}) =>
  makeEnvelope({ channel: "chat", source: "http", eventId: `e${++seq}`, sender: { id: fields.user ?? "alice" }, text: "hello", ...fields });

async function withGuard(limits: Partial<ChannelLimits>, fn: (guard: ReturnType<typeof abuseGuard>, lines: string[], store: Store, clock: { now: number }) => Promise<void>) {
  const store = await openSqliteStore(":memory:");
  const lines: string[] = [];
  const clock = { now: 1_700_000_000_000 };
  try {
    const guard = abuseGuard({ store, log: createLogger({ level: "warn", write: (line) => lines.push(line) }), limits: () => ({ ...NO_LIMITS, ...limits }), now: () => clock.now });
    await fn(guard, lines, store, clock);
  } finally {
    await store.close();
  }
}

describe("abuse guard", () => {
  it("refuses text over the cap and too many attachments with 413 and the numbers, and lets the limit itself through", () =>
    withGuard({}, async (guard) => {
      assert.deepEqual(await run(guard, message({ text: "x".repeat(100) })), { passed: true });
      assert.deepEqual(await run(guard, message({ text: "x".repeat(101) })), {
        passed: false,
        status: 413,
        reason: "message too long: 101 characters, the limit is 100; send it in parts or as a file",
      });
      const files = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f${i}.txt` }));
      assert.deepEqual(await run(guard, message({ attachments: files(2) })), { passed: true });
      assert.deepEqual(await run(guard, message({ attachments: files(3) })), { passed: false, status: 413, reason: "too many attachments: 3, the limit is 2" });
    }));

  it("a sender over their rate gets 429 with when to try again; others are not affected", () =>
    withGuard({ perSender: { count: 2, perMs: 60_000 } }, async (guard) => {
      assert.equal((await run(guard, message())).passed, true);
      assert.equal((await run(guard, message())).passed, true);
      assert.deepEqual(await run(guard, message()), {
        passed: false,
        status: 429,
        reason: "rate limit: at most 2 messages per minute from one sender; try again in 30 s",
      });
      assert.equal((await run(guard, message({ user: "bob" }))).passed, true);
      assert.equal((await run(guard, message({ channel: "other" }))).passed, true, "a rate is per channel");
    }));

  it("a channel's rate counts everyone on it together", () =>
    withGuard({ perChannel: { count: 2, perMs: 1000 } }, async (guard, _lines, _store, clock) => {
      assert.equal((await run(guard, message({ user: "a" }))).passed, true);
      assert.equal((await run(guard, message({ user: "b" }))).passed, true);
      const refused = await run(guard, message({ user: "c" }));
      assert.ok(!refused.passed && refused.status === 429 && /this channel takes at most 2 messages per second; try again in 1 s/.test(refused.reason));
      clock.now += 500;
      assert.equal((await run(guard, message({ user: "c" }))).passed, true, "a token back after half a second");
    }));

  it("a platform's redelivery of a message already accepted is not refused by a rate", () =>
    withGuard({ perSender: { count: 1, perMs: 60_000 } }, async (guard, _lines, store, clock) => {
      const first = message({ eventId: "slack-1" });
      assert.equal((await run(guard, first)).passed, true);
      await store.accept({
        channel: first.channel,
        eventId: first.eventId,
        now: clock.now,
        dedupeTtlMs: 60_000,
        session: { agent: "echo", ttlMs: 60_000, threadKey: { channel: "chat", key: "dm:alice" } },
        item: { kind: "message", text: first.text, sender: first.sender, replyTo: { conversation: "alice" } },
        maxPendingPerSession: 10,
      });
      assert.equal((await run(guard, { ...first })).passed, true, "the redelivery goes on to get its duplicate answer");
      assert.equal((await run(guard, message())).passed, false, "a new message is still refused");
    }));

  it("a burst trips the loop guard: the sender is paused for the cooldown and it is logged once", () =>
    withGuard({ loopGuard: { burst: 3, withinMs: 10_000, cooldownMs: 60_000 } }, async (guard, lines, _store, clock) => {
      for (let i = 0; i < 3; i++) assert.equal((await run(guard, message({ user: "bot" }))).passed, true);
      for (let i = 0; i < 5; i++) {
        const refused = await run(guard, message({ user: "bot" }));
        assert.ok(!refused.passed && refused.status === 429 && /paused/.test(refused.reason), JSON.stringify(refused));
        clock.now += 1000;
      }
      assert.equal((await run(guard, message({ user: "human" }))).passed, true, "other senders go on");
      const trips = lines.map((line) => JSON.parse(line) as { msg: string; sender?: string }).filter((l) => l.msg.startsWith("loop guard tripped"));
      assert.deepEqual(trips.map((t) => t.sender), ["bot"], "one warning for the whole cooldown");
      clock.now += 60_000;
      assert.equal((await run(guard, message({ user: "bot" }))).passed, true, "after the cooldown the sender is heard again");
    }));
});
