import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startSlackEmulator, type SlackEmulator } from "../../emulators/slack/index.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, startSlackSetup, type SlackSetup } from "./setup.ts";

/** Slack's redelivery compressed: an unacked envelope is sent again after 1.5 s. */
const emulatorOptions = { ackTimeoutMs: 1_500, retryDelaysMs: [0, 500, 1_000] };

describe("Slack Socket Mode", () => {
  let s: SlackSetup;
  const runs: string[] = [];
  const failOnce = new Set<string>();
  before(async () => {
    s = await startSlackSetup({
      mode: "socket",
      emulator: emulatorOptions,
      config: { defaultAgent: "worker" },
      setup: (gw) => {
        gw.addAgent("worker", async (input) => {
          runs.push(input.text);
          return `done: ${input.text}`;
        });
        gw.use({
          accept: async (ctx, next) => {
            if (failOnce.delete(ctx.envelope.text)) throw new Error("the store is briefly unavailable");
            await next();
          },
        });
      },
    });
    s.emulator.addUser({ id: "UANN", name: "ann", displayName: "Ann", email: "ann@example.com" });
  });
  after(() => s.stop());

  it("connects with the app token through apps.connections.open, and a DM gets a reply", async () => {
    assert.equal(s.emulator.socketConnections, 1);
    const delivery = await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "DANN", text: "over the socket", channelType: "im" }));
    assert.equal(delivery.transport, "socket");
    assert.equal(delivery.acked, true);
    const [reply] = await botMessages(s.emulator, "DANN");
    assert.equal(reply!.text, "done: over the socket");
  });

  it("an accepted envelope is acked once and never redelivered", async () => {
    const delivery = await s.emulator.deliverEvent(s.emulator.appMention({ user: "UANN", channel: "CROOM", text: `<@${s.emulator.botUserId}> in the room` }));
    await botMessages(s.emulator, "CROOM");
    await sleep(emulatorOptions.ackTimeoutMs + 500);
    assert.deepEqual(delivery.attempts.map((a) => a.outcome), ["ok"]);
    assert.equal(s.emulator.messages("CROOM")[0]!.text, "done: in the room");
    assert.equal(s.emulator.deliveries.filter((d) => d.eventId === delivery.eventId).length, 1);
  });

  it("an envelope whose accept failed is not acked, so Slack redelivers it, and it is answered once", async () => {
    failOnce.add("ack me later");
    const delivery = await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "DRETRY", text: "ack me later", channelType: "im" }));
    assert.deepEqual(
      delivery.attempts.map((a) => [a.retryNum, a.outcome]),
      [
        [0, "timeout"],
        [1, "ok"],
      ],
    );
    await botMessages(s.emulator, "DRETRY");
    await sleep(300);
    assert.deepEqual(s.emulator.messages("DRETRY").map((m) => m.text), ["done: ack me later"]);
    assert.equal(runs.filter((r) => r === "ack me later").length, 1);
  });

  it("a redelivered envelope of an accepted message is acked without a second reply", async () => {
    const event = s.emulator.message({ user: "UANN", channel: "DTWICE", text: "one reply only", channelType: "im" });
    await s.emulator.deliverEvent(event, { eventId: "Ev0SOCKETDUP" });
    await s.emulator.deliverEvent(event, { eventId: "Ev0SOCKETDUP" });
    await botMessages(s.emulator, "DTWICE");
    await sleep(300);
    assert.deepEqual(s.emulator.messages("DTWICE").map((m) => m.text), ["done: one reply only"]);
  });

  it("a slash command is acked with an ephemeral note, and the reply is posted", async () => {
    const answer = await s.emulator.slashCommand({ command: "/switchboard", text: "status please", user: "UANN", channel: "CCMD" });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { response_type: "ephemeral", text: "Working on it…" });
    const [reply] = await botMessages(s.emulator, "CCMD");
    assert.equal(reply!.text, "done: status please");
  });

  it("when Slack asks the client to reconnect (disconnect: refresh_requested), it does, and keeps answering", async () => {
    const opened = s.emulator.connectionsOpened;
    s.emulator.disconnectSockets("refresh_requested");
    await waitFor(() => s.emulator.connectionsOpened > opened && s.emulator.socketConnections === 1 && s.channel.socketStats?.connected, { what: "the reconnect", timeoutMs: 15_000 });
    await s.emulator.deliverEvent(s.emulator.message({ user: "UANN", channel: "DAFTER", text: "still there?", channelType: "im" }));
    const [reply] = await botMessages(s.emulator, "DAFTER");
    assert.equal(reply!.text, "done: still there?");
  });
});

describe("Slack Socket Mode: a gateway stopped before the accept", () => {
  let emulator: SlackEmulator;
  before(async () => {
    emulator = await startSlackEmulator(emulatorOptions);
  });
  after(() => emulator.close());

  it("leaves the envelope unacked; the next gateway gets it redelivered and answers it once", async () => {
    let entered!: () => void;
    const inAccept = new Promise<void>((resolve) => (entered = resolve));
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const first = await startSlackSetup({
      mode: "socket",
      reuse: emulator,
      setup: (gw) =>
        gw.use({
          accept: async (_ctx, next) => {
            entered();
            await blocked; // the gateway goes down while this message is being accepted
            await next();
          },
        }),
    });
    const delivering = emulator.deliverEvent(emulator.message({ user: "UCRASH", channel: "DCRASH", text: "survive the restart", channelType: "im" }));
    await inAccept;
    await first.stop();
    unblock();

    const second = await startSlackSetup({ mode: "socket", reuse: emulator });
    try {
      const delivery = await delivering;
      assert.equal(delivery.acked, true);
      assert.notEqual(delivery.attempts[0]!.outcome, "ok", "the first envelope was never acked");
      assert.equal(delivery.attempts.at(-1)!.outcome, "ok");
      const [reply] = await botMessages(emulator, "DCRASH");
      assert.equal(reply!.text, "survive the restart");
      await sleep(500);
      assert.equal(emulator.messages("DCRASH").length, 1);
    } finally {
      await second.stop();
    }
  });
});
