import { describe, it, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../../helpers/gateway.ts";
import { startWebhookSetup, type WebhookSetup } from "./setup.ts";

describe("webhook channel: replies reach the callback URL exactly once", () => {
  let s: WebhookSetup;
  const runs: string[] = [];
  const failures: string[] = [];
  let hiccupped = false;

  before(async () => {
    s = await startWebhookSetup({
      channel: { maxMessageLength: 500, callbackTimeoutMs: 300 },
      config: { defaultAgent: "worker" },
      setup: (gw) => {
        gw.addAgent("worker", async (input) => {
          runs.push(input.text);
          if (input.text === "long please") return longReply();
          return `ok: ${input.text}`;
        });
        gw.use({
          accept: async (ctx, next) => {
            if (ctx.envelope.text === "store hiccup" && !hiccupped) {
              hiccupped = true;
              throw new Error("the store is briefly unavailable");
            }
            await next();
          },
        });
      },
    });
    s.t.gw.gateway.events.subscribe((event) => {
      if (event.type === "delivery.failed") failures.push(event.error);
    });
  });
  after(() => s.stop());
  beforeEach(() => s.emulator.reset());

  it("the same message posted twice is accepted once (the second answer says duplicate) and answered once", async () => {
    const message = { id: "dup-1", user: { id: "carol" }, text: "only once" };
    const first = await s.post(message);
    const second = await s.post(message);
    assert.equal(first.status, 202);
    assert.equal(second.status, 200);
    assert.equal(second.body.duplicate, true);
    assert.equal(second.body.sessionId, first.body.sessionId);
    await s.emulator.waitForCallbacks(1);
    // A third, later retry still changes nothing.
    assert.equal((await s.post(message)).body.duplicate, true);
    // Nothing should follow: give a stray second turn or callback time to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(runs.filter((text) => text === "only once").length, 1, "the agent ran once");
    assert.equal(s.emulator.attempts.length, 1, "one callback");
  });

  it("a failed accept answers 5xx so the caller sends again; the second send is accepted and answered once", async () => {
    const message = { id: "hiccup-1", user: { id: "hank" }, text: "store hiccup" };
    const first = await s.post(message);
    assert.equal(first.status, 500);
    assert.match(first.body.error, /send it again/);
    const second = await s.post(message);
    assert.equal(second.status, 202);
    const [callback] = await s.emulator.waitForCallbacks(1);
    assert.equal(callback!.inReplyTo, "hiccup-1");
    assert.equal(runs.filter((text) => text === "store hiccup").length, 1);
  });

  it("a receiver answering 429 with Retry-After delays the reply but loses nothing, and each reply arrives once", async () => {
    s.emulator.failNext(2, { status: 429, retryAfter: "1" });
    const results = await Promise.all(["rl-a", "rl-b", "rl-c"].map((id) => s.post({ id, user: { id: `user-${id}` }, text: `busy ${id}` })));
    assert.deepEqual(results.map((r) => r.status), [202, 202, 202]);
    const received = await s.emulator.waitForCallbacks(3, 15_000);
    assert.deepEqual(received.map((c) => c.text).sort(), ["ok: busy rl-a", "ok: busy rl-b", "ok: busy rl-c"]);
    const limited = s.emulator.attempts.filter((a) => a.status === 429);
    assert.equal(limited.length, 2);
    for (const refused of limited) {
      const success = s.emulator.attempts.find((a) => a.status === 200 && a.body?.id === refused.body?.id)!;
      assert.ok(success, "the refused callback was sent again");
      assert.ok(success.at - refused.at >= 950, `waited ${success.at - refused.at} ms, at least the 1 s Retry-After`);
      assert.equal(success.body!.id, refused.body!.id, "the retry keeps its id, so the receiver can dedupe");
    }
    assert.equal(s.emulator.attempts.filter((a) => a.repeat).length, 0);
    assert.equal(failures.length, 0);
  });

  it("a 500 is retried with backoff until the reply is delivered", async () => {
    s.emulator.failNext(1, { status: 500, body: "database down" });
    const response = await s.post({ id: "err-1", user: { id: "dave" }, text: "bad day" });
    assert.equal(response.status, 202);
    const [callback] = await s.emulator.waitForCallbacks(1);
    assert.equal(callback!.text, "ok: bad day");
    assert.deepEqual(s.emulator.attempts.map((a) => a.status), [500, 200]);
  });

  it("a receiver slower than callbackTimeout gets the callback again with the same id, and keeps it once", async () => {
    s.emulator.setDelay(800);
    await s.post({ id: "slow-1", user: { id: "gina" }, text: "take it slow" });
    await waitFor(() => s.emulator.attempts.length >= 1, { what: "the first callback attempt" });
    s.emulator.setDelay(0);
    await waitFor(() => s.emulator.attempts.length >= 2 && s.emulator.attempts.every((a) => a.status === 200 && a.body) && s.emulator.attempts.some((a) => a.repeat), {
      what: "the retry and the slow first answer",
    });
    const [first, second] = s.emulator.attempts;
    assert.equal(first!.body!.id, second!.body!.id, "the retry has the same id");
    assert.deepEqual(s.emulator.received().map((c) => c.text), ["ok: take it slow"], "the receiver keeps it once");
    assert.equal(failures.length, 0);
  });

  it("a 4xx refusal is not retried: the delivery fails for good and is reported", async () => {
    s.emulator.failNext(1, { status: 422, body: '{"error":"unknown conversation"}' });
    await s.post({ id: "err-2", user: { id: "erin" }, text: "rejected" });
    await waitFor(() => failures.some((f) => f.includes("HTTP 422")), { what: "the delivery.failed event" });
    assert.match(failures.find((f) => f.includes("HTTP 422"))!, /unknown conversation/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(s.emulator.attempts.length, 1, "no retry after a 4xx");
  });

  it("a long reply is split at maxMessageLength into numbered parts, never inside a code block", async () => {
    await s.post({ id: "long-1", user: { id: "frank" }, text: "long please", conversation: { id: "room-7" }, thread: "t-1", metadata: { ticket: 42 } });
    const expected = longReply();
    const parts = await waitFor(
      () => {
        const got = s.emulator.received().filter((c) => c.inReplyTo === "long-1");
        return got.length > 0 && got.length === got[0]!.parts ? got : undefined;
      },
      { what: "every part of the long reply" },
    );
    assert.ok(parts.length >= 3, `${parts.length} parts`);
    assert.deepEqual(parts.map((p) => p.part), [...parts.keys()]);
    for (const p of parts) {
      assert.ok(p.text.length <= 500, `part ${p.part} is ${p.text.length} chars`);
      assert.equal((p.text.match(/```/g) ?? []).length % 2, 0, `part ${p.part} has balanced fences`);
      assert.deepEqual(p.conversation, { id: "room-7", kind: "group" });
      assert.equal(p.thread, "t-1");
      assert.deepEqual(p.metadata, { ticket: 42 }, "the caller's metadata is echoed");
    }
    assert.equal(new Set(parts.map((p) => p.id)).size, parts.length, "each part has its own id");
    const words = (text: string) => text.replace(/```\w*/g, "").split(/\s+/).filter(Boolean);
    assert.deepEqual(parts.flatMap((p) => words(p.text)), words(expected), "nothing lost or repeated");
  });
});

function longReply(): string {
  const prose = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} of the answer.`).join(" ");
  const code = ["```ts", ...Array.from({ length: 20 }, (_, i) => `const value${i} = ${i};`), "```"].join("\n");
  return `${prose}\n\n${code}\n\n${prose}`;
}
