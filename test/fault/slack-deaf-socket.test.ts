import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createSlackChannel } from "../../src/channels/slack/index.ts";
import { startSlackEmulator, type SlackEmulator } from "../emulators/slack/index.ts";
import { waitFor } from "../helpers/gateway.ts";
import { botMessages, startSlackSetup, type SlackSetup } from "../integration/slack/setup.ts";

/** The watchdog's silence threshold in this test, and the bound the healing must meet. */
const silenceMs = 1_500;
const healWithinMs = 5_000;

describe("a deaf Slack socket", () => {
  let s: SlackSetup;
  let other: SlackEmulator;
  before(async () => {
    other = await startSlackEmulator();
    s = await startSlackSetup({
      mode: "socket",
      emulator: { ackTimeoutMs: 3_000, retryDelaysMs: [0, 1_000, 2_000] },
      channel: { watchdog: { silenceMs } },
      // A second Slack workspace on its own channel: the watchdog must leave it alone.
      setup: (gw) =>
        gw.addChannel(
          createSlackChannel({ id: "slack-other", mode: "socket", botToken: other.botToken, appToken: other.appToken, apiUrl: `${other.url}/api/`, watchdog: { silenceMs } }),
        ),
    });
    await waitFor(() => other.socketConnections === 1, { what: "the other workspace's socket" });
  });
  after(async () => {
    await s.stop();
    await other.close();
  });

  it("stays put while the socket is healthy, even with no events", async () => {
    await sleep(silenceMs * 2);
    assert.equal(s.emulator.connectionsOpened, 1);
    assert.equal(s.channel.socketStats?.watchdogReconnects, 0);
  });

  it("is detected by the watchdog and healed within the bound; the event sent into it is answered once", async () => {
    await s.emulator.deliverEvent(s.emulator.message({ user: "U1", channel: "DHEAL", text: "before", channelType: "im" }));
    await botMessages(s.emulator, "DHEAL");

    const deafAt = Date.now();
    s.emulator.silenceSockets(true);
    // Slack still sends to the socket it believes is connected: this envelope is swallowed.
    const swallowed = s.emulator.deliverEvent(s.emulator.message({ user: "U1", channel: "DHEAL", text: "during", channelType: "im" }));

    await waitFor(() => s.emulator.connectionsOpened === 2 && s.channel.socketStats?.connected, { what: "a new connection", timeoutMs: healWithinMs });
    const healedMs = Date.now() - deafAt;
    assert.ok(healedMs < healWithinMs, `healed after ${healedMs} ms`);
    console.log(`# deaf socket healed after ${healedMs} ms (silence threshold ${silenceMs} ms, bound ${healWithinMs} ms)`);
    assert.ok(healedMs >= silenceMs - 100, `not before the silence threshold (${healedMs} ms)`);
    assert.equal(s.channel.socketStats?.watchdogReconnects, 1, "the watchdog did it");
    await waitFor(() => s.emulator.socketConnections === 1, { what: "the deaf socket to be closed" });

    // The next event is answered promptly on the new connection.
    const nextAt = Date.now();
    await s.emulator.deliverEvent(s.emulator.message({ user: "U1", channel: "DHEAL", text: "after", channelType: "im" }));
    await waitFor(() => s.emulator.messages("DHEAL").some((m) => m.text === "after"), { what: "the reply to the next event", timeoutMs: 2_000 });
    assert.ok(Date.now() - nextAt < 2_000);

    // Slack redelivers the swallowed one on the live socket; it is answered exactly once.
    const delivery = await swallowed;
    assert.equal(delivery.attempts[0]!.deaf, true);
    assert.equal(delivery.acked, true);
    await waitFor(() => s.emulator.messages("DHEAL").some((m) => m.text === "during"), { what: "the swallowed event's reply" });
    await sleep(300);
    assert.deepEqual(s.emulator.messages("DHEAL").map((m) => m.text).sort(), ["after", "before", "during"]);
  });

  it("reconnects only this channel: the other workspace's socket and the process are untouched", async () => {
    assert.equal(other.connectionsOpened, 1);
    assert.equal(other.socketConnections, 1);
    await other.deliverEvent(other.message({ user: "U9", channel: "DOTHER", text: "unaffected", channelType: "im" }));
    const [reply] = await botMessages(other, "DOTHER");
    assert.equal(reply!.text, "unaffected");
  });
});
