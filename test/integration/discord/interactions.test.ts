import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateSigningKeys, signedHeaders } from "../../emulators/discord/index.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { startDiscordSetup, type DiscordSetup } from "./setup.ts";

/** A fence-aware check: every part opens and closes its code blocks. */
function balancedFences(text: string): boolean {
  return (text.match(/^```/gm) ?? []).length % 2 === 0;
}

describe("Discord HTTP interactions (slash commands)", () => {
  let s: DiscordSetup;
  const runs: string[] = [];
  const longReply = ["Here is the code:", "```ts", ...Array.from({ length: 120 }, (_, i) => `const line${i} = "${"x".repeat(30)}";`), "```", "And a closing paragraph."].join("\n");

  before(async () => {
    s = await startDiscordSetup({
      config: { defaultAgent: "worker" },
      setup: (gw) =>
        gw.addAgent("worker", async (input) => {
          runs.push(input.text);
          return input.text === "long please" ? longReply : `ok: ${input.text}`;
        }),
    });
    s.emulator.addChannel("2000", { name: "general" });
  });
  after(() => s.stop());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${s.t.url}/channels/discord`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  it("answers a signed PING with PONG", async () => {
    const body = JSON.stringify({ id: "1", application_id: s.emulator.applicationId, type: 1, token: "t", version: 1 });
    const response = await post(body, signedHeaders(s.emulator.signingKey, body));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { type: 1 });
  });

  it("refuses with 401 a tampered body, another key's signature, missing headers and a stale timestamp", async () => {
    const body = JSON.stringify({ id: "1", application_id: s.emulator.applicationId, type: 1, token: "t", version: 1 });
    const tampered = await post(body.replace('"type":1', '"type":2'), signedHeaders(s.emulator.signingKey, body));
    assert.equal(tampered.status, 401);
    const otherKey = await post(body, signedHeaders(generateSigningKeys().privateKey, body));
    assert.equal(otherKey.status, 401);
    const unsigned = await post(body, {});
    assert.equal(unsigned.status, 401);
    const stale = await post(body, signedHeaders(s.emulator.signingKey, body, String(Math.floor(Date.now() / 1000) - 3_600)));
    assert.equal(stale.status, 401);
    assert.equal(runs.length, 0);
  });

  it("defers a slash command within 3 s and answers it by editing the original response", async () => {
    const delivery = await s.emulator.slashCommand({ user: "42", channel: "2000", text: "what time is it?" });
    assert.equal(delivery.outcome, "answered");
    assert.equal(delivery.response?.type, 5, "DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE");
    assert.ok(delivery.durationMs < 3_000);
    const answered = await waitFor(() => s.emulator.interaction(delivery.token)?.original?.content, { what: "the original response to be edited" });
    assert.equal(answered, "ok: what time is it?");
    assert.equal(s.emulator.interaction(delivery.token)!.followUps.length, 0);
    assert.equal(s.emulator.botMessages("2000").filter((m) => m.webhook_id === undefined).length, 0, "no separate channel post");
  });

  it("splits a long answer at 2,000 characters into the original response and follow-ups, never inside a code block", async () => {
    const delivery = await s.emulator.slashCommand({ user: "42", channel: "2000", text: "long please" });
    const parts = await waitFor(
      () => {
        const i = s.emulator.interaction(delivery.token);
        const all = [i?.original?.content ?? "", ...(i?.followUpMessages.map((m) => m.content) ?? [])].filter(Boolean);
        // Every part has arrived once the last words have (the parts go out one after another).
        return all.length >= 3 && all.at(-1)!.includes("And a closing paragraph.") ? all : undefined;
      },
      { what: "the whole answer in parts" },
    );
    for (const part of parts) {
      assert.ok(part.length <= 2_000, `a part of ${part.length} characters`);
      assert.ok(balancedFences(part), `a part cuts a code block:\n${part.slice(0, 80)}`);
    }
    const rejoined = parts.join("\n");
    for (const needle of ["Here is the code:", "const line0 ", "const line119 ", "And a closing paragraph."]) assert.ok(rejoined.includes(needle), needle);
  });

  it("the same interaction delivered twice gets one answer", async () => {
    const before = runs.length;
    const body = JSON.stringify({
      id: "1300000000000009999",
      application_id: s.emulator.applicationId,
      type: 2,
      token: "dup-token",
      version: 1,
      channel_id: "2000",
      channel: { id: "2000", type: 0 },
      guild_id: s.emulator.guildId,
      member: { user: { id: "42", username: "alice" } },
      data: { id: "9", name: "ask", type: 1, options: [{ name: "prompt", type: 3, value: "only once" }] },
    });
    for (let i = 0; i < 2; i++) {
      const response = await post(body, signedHeaders(s.emulator.signingKey, body));
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { type: number }).type, 5);
    }
    await waitFor(() => runs.length > before, { what: "the agent to run" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(runs.slice(before), ["only once"]);
  });

  it("an unknown command and an empty prompt get an ephemeral explanation, and nothing runs", async () => {
    const before = runs.length;
    const other = await s.emulator.slashCommand({ user: "42", channel: "2000", text: "hi", name: "weather" });
    assert.equal(other.response?.type, 4);
    assert.match(String((other.response?.data as { content: string }).content), /\/ask/);
    const empty = await s.emulator.slashCommand({ user: "42", channel: "2000", text: "" });
    assert.equal(empty.response?.type, 4);
    assert.equal((empty.response?.data as { flags: number }).flags, 64, "ephemeral");
    assert.equal(runs.length, before);
  });

  it("registered /ask on start", () => {
    assert.ok(s.emulator.commands.some((c) => c.name === "ask"));
  });
});

describe("Discord interactions over the gateway (no endpoint URL)", () => {
  let s: DiscordSetup;
  before(async () => {
    s = await startDiscordSetup({ channel: { publicKey: undefined } });
    s.emulator.setInteractionsUrl(undefined);
  });
  after(() => s.stop());

  it("defers through the interaction callback and answers in the original response", async () => {
    const delivery = await s.emulator.slashCommand({ user: "42", channel: "3000", text: "via gateway" });
    assert.equal(delivery.outcome, "answered");
    assert.equal(delivery.response?.type, 5);
    const answered = await waitFor(() => s.emulator.interaction(delivery.token)?.original?.content, { what: "the answer" });
    assert.match(answered, /via gateway/);
  });
});
