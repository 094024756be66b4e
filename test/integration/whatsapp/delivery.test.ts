import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { Switchboard } from "../../../src/switchboard.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { sentTo, startWhatsAppSetup, type WhatsAppSetup } from "./setup.ts";

const fastOutbox = { outbox: { baseDelay: "100ms", maxDelay: "2s", maxAttempts: 20 } };

describe("WhatsApp replies under Meta's rate limits", () => {
  let s: WhatsAppSetup;
  before(async () => {
    // The emulated number takes 4 messages a second, far below the channel's own 80/s pace.
    s = await startWhatsAppSetup({ emulator: { messagesPerSecond: 4 }, config: fastOutbox });
  });
  after(() => s.stop());

  it("130429 errors delay a reply but it arrives exactly once", async () => {
    s.emulator.failNext(3, { code: 130429 });
    await s.emulator.userMessage({ from: "15550002001", text: "busy number" });
    const [reply] = await sentTo(s.emulator, "15550002001");
    assert.equal(reply!.text, "busy number");
    const sends = s.emulator.calls.filter((c) => c.path.endsWith("/messages") && c.code !== undefined);
    assert.deepEqual(sends.slice(0, 3).map((c) => c.code), [130429, 130429, 130429]);
    await sleep(300);
    assert.equal(s.emulator.sent("15550002001").length, 1);
  });

  it("a burst over the number's throughput gets every reply through exactly once", async () => {
    const users = Array.from({ length: 12 }, (_, i) => `1555000300${String(i).padStart(2, "0")}`);
    const before = s.emulator.calls.filter((c) => c.code === 130429).length;
    await Promise.all(users.map((from) => s.emulator.userMessage({ from, text: `hi from ${from}` })));
    await waitFor(() => users.every((u) => s.emulator.sent(u).length >= 1), { what: "a reply to each of 12 users", timeoutMs: 15_000 });
    assert.ok(s.emulator.calls.filter((c) => c.code === 130429).length > before, "the emulator did refuse some sends with 130429");
    await sleep(300);
    for (const u of users) assert.deepEqual(s.emulator.sent(u).map((m) => m.text), [`hi from ${u}`], u);
  });

  it("an HTTP 429 with Retry-After is waited out before the reply is sent again", async () => {
    s.emulator.failNext(1, { code: 130429, status: 429, retryAfterSeconds: 1 });
    await sleep(1_100); // a fresh second of throughput
    const started = Date.now();
    await s.emulator.userMessage({ from: "15550002002", text: "patience" });
    const [reply] = await sentTo(s.emulator, "15550002002");
    assert.equal(reply!.text, "patience");
    assert.ok(reply!.at - started >= 950, `sent again after ${reply!.at - started} ms, not before Retry-After`);
  });
});

describe("WhatsApp long replies", () => {
  let s: WhatsAppSetup;
  const long = [
    ...Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: ${"all work and no play ".repeat(6)}`),
    "```",
    ...Array.from({ length: 40 }, (_, i) => `const line${i} = "${"x".repeat(40)}";`),
    "```",
    ...Array.from({ length: 30 }, (_, i) => `**Point ${i}** is _emphasised_.`),
  ].join("\n\n");

  before(async () => {
    s = await startWhatsAppSetup({ config: { defaultAgent: "writer" }, setup: (gw) => gw.addAgent("writer", async () => long) });
  });
  after(() => s.stop());

  it("splits a reply over 4,096 characters into messages under the limit, without cutting a code block", async () => {
    await s.emulator.userMessage({ from: "15550004001", text: "write a lot" });
    const parts = await sentTo(s.emulator, "15550004001", 3);
    await sleep(300);
    const sent = s.emulator.sent("15550004001");
    assert.ok(sent.length >= 3, `${sent.length} parts`);
    for (const part of sent) {
      assert.ok(part.text!.length <= 4096, `a part of ${part.text!.length} characters`);
      assert.equal((part.text!.match(/```/g) ?? []).length % 2, 0, "code fences stay balanced in every part");
    }
    const all = sent.map((p) => p.text).join("\n");
    for (const i of [0, 59]) assert.ok(all.includes(`Paragraph ${i}:`), `paragraph ${i}`);
    assert.ok(all.includes("*Point 29* is _emphasised_."), "markdown rendered as WhatsApp formatting");
    assert.equal(parts[0]!.type, "text");
  });
});

describe("WhatsApp's 24-hour customer-service window", () => {
  let plain: WhatsAppSetup;
  let templated: WhatsAppSetup;
  let ahead: WhatsAppSetup;
  const failures: string[] = [];
  let release: () => void = () => {};
  const gate = () => new Promise<void>((resolve) => (release = resolve));
  let waiting = gate();
  const slowAgent = { defaultAgent: "slow" };
  const addSlow = (reply: string) => (gw: Switchboard) =>
    gw.addAgent("slow", async () => {
      await waiting;
      return reply;
    });

  before(async () => {
    plain = await startWhatsAppSetup({ config: slowAgent, setup: addSlow("a reply a day too late") });
    plain.t.gw.gateway.events.subscribe((event) => {
      if (event.type === "delivery.failed") failures.push(event.error);
    });
    templated = await startWhatsAppSetup({
      config: slowAgent,
      setup: addSlow(`${"first part ".repeat(400)}\n\n${"second part ".repeat(400)}`),
      channel: { templateOnWindowClosed: { name: "hello_world", language: "en_US" } },
    });
    // This gateway's clock is a day ahead of Meta's: it knows the window is closed before asking.
    ahead = await startWhatsAppSetup({ config: { defaultAgent: "helper" }, channel: { now: () => Date.now() + 25 * 3_600_000 } });
    ahead.t.gw.gateway.events.subscribe((event) => {
      if (event.type === "delivery.failed") failures.push(event.error);
    });
  });
  after(async () => {
    release();
    await Promise.all([plain.stop(), templated.stop(), ahead.stop()]);
  });

  it("a reply after the window closed is not sent, and fails for good with a reason that says how to fix it", async () => {
    waiting = gate();
    await plain.emulator.userMessage({ from: "15550005001", text: "answer me tomorrow" });
    await waitFor(() => plain.emulator.reads.some((r) => r.typing), { what: "the turn to start" });
    plain.emulator.advanceClock(25 * 3_600_000);
    release();
    await waitFor(() => failures.find((f) => f.includes("templateOnWindowClosed")), { what: "the delivery.failed event" });
    assert.equal(plain.emulator.sent("15550005001").length, 0);
    assert.equal(plain.emulator.calls.filter((c) => c.code === 131047).length, 1, "asked Meta once, not again and again");
  });

  it("with templateOnWindowClosed, the template goes out once instead of the reply's parts", async () => {
    waiting = gate();
    await templated.emulator.userMessage({ from: "15550005002", text: "long answer tomorrow" });
    await waitFor(() => templated.emulator.reads.some((r) => r.typing), { what: "the turn to start" });
    templated.emulator.advanceClock(25 * 3_600_000);
    release();
    const [template] = await sentTo(templated.emulator, "15550005002");
    await sleep(500);
    assert.deepEqual(templated.emulator.sent("15550005002").map((m) => [m.type, m.template?.name]), [["template", "hello_world"]]);
    assert.equal(template!.template!.language, "en_US");
  });

  it("the gateway's own record of the window refuses a free-form reply without calling Meta", async () => {
    const callsBefore = ahead.emulator.calls.filter((c) => c.path.endsWith("/messages")).length;
    await ahead.emulator.userMessage({ from: "15550005003", text: "old news" });
    await waitFor(() => failures.find((f) => f.includes("window") && f.includes("closed")), { what: "the refusal" });
    await sleep(200);
    assert.equal(ahead.emulator.sent("15550005003").length, 0);
    const sends = ahead.emulator.calls.filter((c) => c.path.endsWith("/messages")).slice(callsBefore);
    assert.ok(sends.every((c) => c.code === undefined), "no send was refused by Meta: none was attempted");
  });
});
