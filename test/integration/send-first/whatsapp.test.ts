/**
 * Sending first on WhatsApp: an E.164 number becomes the user's conversation on the WhatsApp
 * emulator only inside the 24-hour customer-service window, which the channel keeps in its state
 * as messages arrive; outside it (or for a number that never wrote) the target is refused with
 * status 422 and a reason that names the template a first message would need.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../../helpers/gateway.ts";
import { sentTo, startWhatsAppSetup, type WhatsAppSetup } from "../whatsapp/setup.ts";
import { assertRefused, sendFirst, sessionOf, threadKeyFor } from "./helpers.ts";

const HOUR = 3_600_000;
const ANN = "4915112345678";

describe("WhatsApp: sending first, within the 24-hour window", () => {
  let s: WhatsAppSetup;
  /** How far the channel's clock runs ahead of the real one. */
  let ahead = 0;
  before(async () => {
    s = await startWhatsAppSetup({ config: { defaultAgent: "helper" }, channel: { now: () => Date.now() + ahead } });
    // Ann wrote to the business once; the gateway answered, and noted when she wrote.
    await s.emulator.userMessage({ from: ANN, name: "Ann", text: "hello" });
    await sentTo(s.emulator, ANN, 1);
  });
  after(() => s.stop());

  it("the channel's state records when the user last wrote", async () => {
    const recorded = Number(await s.t.gw.gateway.store.getChannelState("whatsapp", `window:${ANN}`));
    assert.ok(Math.abs(recorded - s.emulator.now()) < 5_000, `recorded ${recorded}, the emulator's clock says ${s.emulator.now()}`);
  });

  it("inside the window a number (written any usual way) resolves, and the message arrives", async () => {
    ahead = 23 * HOUR;
    const to = await s.channel.resolveTarget("+49 151 1234-5678");
    assert.deepEqual(to, { conversation: ANN, user: ANN });
    const sent = await sendFirst(s.channel, to, "Your parcel *arrives* today");
    const messages = await sentTo(s.emulator, ANN, 2);
    assert.equal(messages.at(-1)!.text, "Your parcel _arrives_ today");
    assert.equal(messages.at(-1)!.id, sent.platformId);
  });

  it("outside the window the target is refused: a template message would be needed", async () => {
    ahead = 24 * HOUR + 1_000;
    const refusal = await assertRefused(s.channel, `+${ANN}`, 422, /template message would be needed/);
    assert.match(refusal.message, /more than 24 hours ago/);
    assert.equal(s.emulator.sent(ANN).length, 2, "nothing more was sent");
  });

  it("a number that never wrote is refused the same way", async () => {
    ahead = 0;
    await assertRefused(s.channel, "+4915199999999", 422, /has not written to this number.*template message would be needed/);
  });

  it("a bad number is refused with the form WhatsApp needs", async () => {
    await assertRefused(s.channel, "", 400, /E\.164/);
    await assertRefused(s.channel, "015112345678", 400, /no country code; write a phone number in international E\.164 form/);
    await assertRefused(s.channel, "+49abc", 400, /is not a phone number/);
    await assertRefused(s.channel, "+12", 400, /is not a phone number/);
  });

  it("a window written into the channel's state counts like one opened by a message", async () => {
    const bob = "4917000000001";
    await assertRefused(s.channel, `+${bob}`, 422, /template message would be needed/);
    await s.t.gw.gateway.store.setChannelState("whatsapp", `window:${bob}`, String(Date.now() - 2 * HOUR));
    assert.deepEqual(await s.channel.resolveTarget(`+${bob}`), { conversation: bob, user: bob });
    await s.t.gw.gateway.store.setChannelState("whatsapp", `window:${bob}`, String(Date.now() - 25 * HOUR));
    await assertRefused(s.channel, `+${bob}`, 422, /more than 24 hours ago/);
  });

  it("the user's answer to the first message continues their session", async () => {
    ahead = 0;
    const to = await s.channel.resolveTarget(`+${ANN}`);
    await sendFirst(s.channel, to, "Shall I book the courier?");
    const delivery = await s.emulator.userMessage({ from: ANN, name: "Ann", text: "yes please" });
    const session = await sessionOf(s.t, "whatsapp", delivery.id);
    assert.deepEqual(session.threadKey, threadKeyFor("whatsapp", to, "dm", "helper"));
    const answer = await waitFor(() => s.emulator.sent(ANN).find((m) => m.text === "yes please"), { what: "the echo of the answer" });
    assert.equal(answer.type, "text");
  });
});
