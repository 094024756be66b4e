import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { signedHeaders } from "../../emulators/slack/index.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, startSlackSetup, type SlackSetup } from "./setup.ts";

describe("Slack Events API: acknowledgement and retries", () => {
  let s: SlackSetup;
  const runs: string[] = [];
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  /** Texts whose first accept fails, or is slow, once. */
  const failOnce = new Set<string>();
  const slowOnce = new Map<string, number>();

  before(async () => {
    s = await startSlackSetup({
      mode: "events",
      config: { defaultAgent: "worker" },
      setup: (gw) => {
        gw.addAgent("worker", async (input) => {
          runs.push(input.text);
          if (input.text.includes("take your time")) await released;
          return `done: ${input.text}`;
        });
        gw.use({
          accept: async (ctx, next) => {
            const text = ctx.envelope.text;
            if (failOnce.delete(text)) throw new Error("the store is briefly unavailable");
            const delay = slowOnce.get(text);
            if (delay !== undefined) {
              slowOnce.delete(text);
              await sleep(delay);
            }
            await next();
          },
        });
      },
    });
  });
  after(async () => {
    release();
    await s.stop();
  });

  it("the ack comes well within 3 s while the agent is still working, so Slack never retries", async () => {
    const started = Date.now();
    const delivery = await s.emulator.deliverEvent(s.emulator.message({ user: "U1", channel: "DSLOW", text: "take your time", channelType: "im" }));
    assert.equal(delivery.acked, true);
    assert.equal(delivery.attempts.length, 1, "no retry");
    assert.equal(delivery.attempts[0]!.outcome, "ok");
    assert.ok(delivery.attempts[0]!.durationMs < 1_000, `acked in ${delivery.attempts[0]!.durationMs} ms`);
    await waitFor(() => runs.includes("take your time"), { what: "the agent to start" });
    assert.equal(s.emulator.messages("DSLOW").length, 0, "the agent is still working");
    release();
    const [reply] = await botMessages(s.emulator, "DSLOW");
    assert.equal(reply!.text, "done: take your time");
    assert.ok(Date.now() - started < 5_000);
  });

  it("a failed first delivery (500) is retried by Slack with X-Slack-Retry-Num, and yields exactly one reply", async () => {
    failOnce.add("second time lucky");
    const delivery = await s.emulator.deliverEvent(s.emulator.message({ user: "U2", channel: "DFAIL", text: "second time lucky", channelType: "im" }));
    assert.deepEqual(
      delivery.attempts.map((a) => [a.retryNum, a.outcome, a.status]),
      [
        [0, "http_error", 500],
        [1, "ok", 200],
      ],
    );
    await botMessages(s.emulator, "DFAIL");
    await sleep(500);
    assert.deepEqual(s.emulator.messages("DFAIL").map((m) => m.text), ["done: second time lucky"]);
    assert.equal(runs.filter((r) => r === "second time lucky").length, 1);
  });

  it("a slow first delivery is answered in time anyway (503), and Slack's retry yields exactly one reply", async () => {
    slowOnce.set("slow store", 2_800);
    const delivery = await s.emulator.deliverEvent(s.emulator.message({ user: "U3", channel: "DSTORE", text: "slow store", channelType: "im" }));
    const [first, retry] = delivery.attempts;
    assert.equal(first!.status, 503, "the gateway answered before Slack's 3 s timeout");
    assert.ok(first!.durationMs < 3_000, `first answer after ${first!.durationMs} ms`);
    assert.equal(retry!.retryNum, 1);
    assert.equal(retry!.outcome, "ok");
    await botMessages(s.emulator, "DSTORE");
    await sleep(3_000); // the first accept completes meanwhile, as a duplicate
    assert.deepEqual(s.emulator.messages("DSTORE").map((m) => m.text), ["done: slow store"]);
    assert.equal(runs.filter((r) => r === "slow store").length, 1);
  });

  it("the same event_id delivered again with X-Slack-Retry-Num: 1 yields exactly one reply", async () => {
    const event = s.emulator.message({ user: "U4", channel: "DDUP", text: "only one answer", channelType: "im" });
    const first = await s.emulator.deliverEvent(event, { eventId: "Ev0DUPLICATE" });
    const body = JSON.stringify(first.body);
    const retried = await fetch(`${s.t.url}/channels/slack`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout", ...signedHeaders(s.emulator.signingSecret, body) },
      body,
    });
    assert.equal(retried.status, 200);
    await s.emulator.deliverEvent(event, { eventId: "Ev0DUPLICATE" });
    await botMessages(s.emulator, "DDUP");
    await sleep(500);
    assert.deepEqual(s.emulator.messages("DDUP").map((m) => m.text), ["done: only one answer"]);
    assert.equal(runs.filter((r) => r === "only one answer").length, 1);
  });
});
