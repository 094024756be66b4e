import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { sentTo, startWhatsAppSetup, type WhatsAppSetup } from "./setup.ts";

describe("WhatsApp media with resolveMediaUrls", () => {
  let s: WhatsAppSetup;
  const attachments: unknown[] = [];
  before(async () => {
    s = await startWhatsAppSetup({
      channel: { resolveMediaUrls: true },
      config: { defaultAgent: "viewer" },
      setup: (gw) =>
        gw.addAgent("viewer", async (input) => {
          attachments.push(...input.messages[0]!.attachments);
          return "got it";
        }),
    });
  });
  after(() => s.stop());

  it("gives the agent the media's download URL and size, and the URL serves the file to the access token", async () => {
    const id = s.emulator.addMedia("fake png bytes", "image/png");
    await s.emulator.userMessage({ from: "15550006001", content: { type: "image", image: { id, mime_type: "image/png", caption: "look" } } });
    await sentTo(s.emulator, "15550006001");
    const [attachment] = attachments as Array<{ name: string; url: string; size: number }>;
    assert.equal(attachment!.size, 14);
    const download = await fetch(attachment!.url, { headers: { authorization: `Bearer ${s.emulator.accessToken}` } });
    assert.equal(await download.text(), "fake png bytes");
    assert.equal((await fetch(attachment!.url)).status, 401, "not without the token");
  });
});
