import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayEvents, type GatewayEvent } from "../../../src/core/events.ts";

const completed: GatewayEvent = { type: "turn.completed", turnId: "t1", sessionId: "s1", messageKeys: ["api:m1"], status: "done", reply: "hi" };

describe("the event bus", () => {
  it("an event of this gateway reaches every listener", () => {
    const events = new GatewayEvents();
    const seen: string[] = [];
    events.subscribe(() => seen.push("local"));
    events.subscribe(() => seen.push("remote too"), { remote: true });
    events.subscribeMessage("api:m1", () => seen.push("message"));
    events.subscribeMessage("api:m2", () => seen.push("other message"));
    events.publish(completed);
    assert.deepEqual(seen.sort(), ["local", "message", "remote too"]);
  });

  it("an event shared by another gateway reaches waiting clients and remote listeners only", () => {
    const events = new GatewayEvents();
    const seen: string[] = [];
    events.subscribe(() => seen.push("local"));
    events.subscribe(() => seen.push("remote too"), { remote: true });
    events.subscribeMessage("api:m1", () => seen.push("message"));
    events.publishRemote(completed);
    assert.deepEqual(seen.sort(), ["message", "remote too"]);
  });

  it("a listener that throws does not keep the event from the others", () => {
    const events = new GatewayEvents();
    let reached = false;
    events.subscribe(() => {
      throw new Error("a closed socket");
    });
    events.subscribeMessage("api:m1", () => (reached = true));
    events.publish(completed);
    assert.equal(reached, true);
  });
});
