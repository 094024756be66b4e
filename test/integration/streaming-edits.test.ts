import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startGateway, postJson, waitFor, type TestGateway } from "../helpers/gateway.ts";
import { LoopbackChannel, LoopbackPlatform } from "../helpers/loopback-platform.ts";

const words = Array.from({ length: 30 }, (_, i) => `word${i}`);

describe("streaming to a platform that edits messages", () => {
  let platform: LoopbackPlatform;
  let t: TestGateway;
  before(async () => {
    platform = await new LoopbackPlatform().start();
    t = await startGateway({ agents: { helper: { kind: "echo", delay: "20ms" } } }, (gw) => {
      gw.addChannel(new LoopbackChannel({ id: "edits", platformUrl: platform.url, editable: true, maxMessageLength: 4000 }));
      gw.addChannel(new LoopbackChannel({ id: "plain", platformUrl: platform.url, maxMessageLength: 4000 }));
    });
  });
  after(async () => {
    await t.stop();
    await platform.stop();
  });

  it("posts one placeholder, edits it at a bounded rate, and ends with the whole reply in it", async () => {
    const text = words.join(" ");
    await postJson(`${t.url}/channels/edits`, { user: "s1", text, id: "stream-1" });
    await waitFor(() => platform.edits.some((e) => e.text === text), { what: "the final edit", timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));

    assert.equal(platform.delivered.length, 1, "one message posted: the placeholder");
    const placeholderId = "msg-1";
    assert.ok(platform.delivered[0]!.text.length < text.length, "the placeholder shows the first words");
    assert.ok(platform.edits.every((e) => e.id === placeholderId), "every edit is of the placeholder");
    assert.ok(platform.edits.length >= 3, `expected several edits while streaming, got ${platform.edits.length}`);
    assert.equal(platform.edits.at(-1)!.text, text, "the last edit is the whole reply");
    // Each edit shows more of the reply than the one before.
    for (let i = 1; i < platform.edits.length; i++) assert.ok(platform.edits[i]!.text.length >= platform.edits[i - 1]!.text.length);
    // Edits are rate-bounded: 30 words at 20 ms would be ~30 edits unbounded; the channel allows one per 100 ms.
    const streamingEdits = platform.edits.slice(0, -1);
    for (let i = 1; i < streamingEdits.length; i++) {
      assert.ok(streamingEdits[i]!.at - streamingEdits[i - 1]!.at >= 90, "edits at most every 100 ms");
    }
  });

  it("a reply that is ready before the stream would start is posted once, with no placeholder and no edit", async () => {
    const quick = await startGateway({ agents: { helper: { kind: "echo" } } }, (gw) => {
      gw.addChannel(new LoopbackChannel({ id: "quick", platformUrl: platform.url, editable: true, maxMessageLength: 4000 }));
    });
    try {
      const before = platform.delivered.length;
      const editsBefore = platform.edits.length;
      await postJson(`${quick.url}/channels/quick`, { user: "s3", text: "an answer at once", id: "quick-1" });
      await waitFor(() => platform.delivered.length > before);
      await new Promise((r) => setTimeout(r, 400)); // past the 200 ms a placeholder would wait
      assert.deepEqual(platform.delivered.slice(before).map((d) => d.text), ["an answer at once"]);
      assert.equal(platform.edits.length, editsBefore, "nothing edited");
    } finally {
      await quick.stop();
    }
  });

  it("a channel that cannot edit gets the reply once, when the turn is done", async () => {
    const before = platform.delivered.length;
    const editsBefore = platform.edits.length;
    await postJson(`${t.url}/channels/plain`, { user: "s2", text: "no edits here please", id: "plain-1" });
    await waitFor(() => platform.delivered.length > before);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(platform.delivered.slice(before).map((d) => d.text), ["no edits here please"]);
    assert.equal(platform.edits.length, editsBefore);
  });
});
