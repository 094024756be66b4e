import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { adminHeaders, startGateway, postJson, getJson, type TestGateway } from "../helpers/gateway.ts";

describe("duplicates", () => {
  let t: TestGateway;
  let turns = 0;
  before(async () => {
    t = await startGateway({ defaultAgent: "counter", agents: {} }, (gw) =>
      gw.addAgent("counter", async (input) => {
        turns++;
        await sleep(100);
        return `turn ${turns}: ${input.text}`;
      }),
    );
  });
  after(() => t.stop());

  it("two concurrent requests with the same id produce one turn and one reply", async () => {
    turns = 0;
    const body = { user: "dup-user", text: "charge my card", id: "evt-1" };
    const [a, b] = await Promise.all([postJson(`${t.url}/v1/messages`, body), postJson(`${t.url}/v1/messages`, body)]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(turns, 1);
    assert.equal(a.body.reply, "turn 1: charge my card");
    assert.equal(b.body.reply, a.body.reply);
    assert.deepEqual([a.body.duplicate, b.body.duplicate].sort(), [false, true]);
    const shown = await getJson(`${t.url}/v1/sessions/${a.body.session}`, adminHeaders);
    assert.equal(shown.body.transcript.length, 2, "one user entry and one reply");
  });

  it("a retry after completion replays the stored reply without a new turn", async () => {
    turns = 0;
    const body = { user: "dup-user-2", text: "once", id: "evt-2" };
    const first = await postJson(`${t.url}/v1/messages`, body);
    const again = await postJson(`${t.url}/v1/messages`, body);
    assert.equal(turns, 1);
    assert.equal(again.body.reply, first.body.reply);
    assert.equal(again.body.duplicate, true);
  });

  it("the same id on another channel is a different message", async () => {
    // eventIds are scoped by channel: (channel, eventId) is the dedupe key.
    turns = 0;
    const sdk = await t.gw.send({ user: "dup-user-3", id: "evt-3" }, "via code");
    const api = await postJson(`${t.url}/v1/messages`, { user: "dup-user-3", text: "via api", id: "evt-3" });
    assert.equal(turns, 2);
    assert.equal(sdk.duplicate, false);
    assert.equal(api.body.duplicate, false);
  });
});
