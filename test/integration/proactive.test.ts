/**
 * Speaking first, end to end through the Slack emulator: a one-off message through
 * `/v1/messages/outbound` (sent once however often it is retried), and schedules from the config
 * and through `/v1/schedules` whose agent answers land in the target channel, with their runs
 * recorded, pause, resume and run-now.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { adminHeaders, getJson, postJson, waitFor } from "../helpers/gateway.ts";
import { botMessages, recordingAgent, startSlackSetup, type SlackSetup } from "./slack/setup.ts";

describe("speaking first on Slack", () => {
  let s: SlackSetup;
  const agent = recordingAgent();
  before(async () => {
    s = await startSlackSetup({
      mode: "events",
      config: {
        defaultAgent: "recorder",
        schedules: [{ name: "from-config", every: "2s", agent: "recorder", instruction: "Summarize the day.", target: { channel: "slack", to: "#daily" } }],
      },
      setup: (gw) => gw.addAgent("recorder", agent.run),
    });
    s.emulator.addChannel({ id: "CDAILY001", name: "daily" });
    s.emulator.addChannel({ id: "CNOTES001", name: "notes" });
    s.emulator.addChannel({ id: "CREMIND01", name: "reminders" });
    s.emulator.addUser({ id: "UANN00001", name: "ann", email: "ann@example.com" });
  });
  after(() => s.stop());

  const outbound = (body: unknown, headers = adminHeaders) => postJson(`${s.t.url}/v1/messages/outbound`, body, headers);

  it("a message sent first arrives once, even when the request is repeated", async () => {
    const first = await outbound({ channel: "slack", to: "#notes", text: "**Deploy** finished", id: "deploy-42" });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(first.body.status, "accepted");
    const again = await outbound({ channel: "slack", to: "#notes", text: "**Deploy** finished", id: "deploy-42" });
    assert.equal(again.body.status, "duplicate");
    const [shown] = await botMessages(s.emulator, "CNOTES001");
    assert.equal(shown!.text, "*Deploy* finished", "rendered for Slack");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.emulator.messages("CNOTES001").length, 1, "sent once");
    // It is the agent's side of that conversation: a reply has it as context.
    const session = await getJson(`${s.t.url}/v1/sessions/${first.body.session}`, adminHeaders);
    assert.deepEqual(session.body.transcript.map((e: { role: string; text: string }) => [e.role, e.text]), [["assistant", "**Deploy** finished"]]);
    assert.equal(agent.inputs.filter((i) => i.text.includes("Deploy")).length, 0, "no agent ran for a plain send");
  });

  it("a DM by email, and clear refusals: no admin token, unknown channel, a channel that cannot send first, an unknown target", async () => {
    const dm = await outbound({ channel: "slack", to: "ann@example.com", text: "Your report is ready" });
    assert.equal(dm.status, 202);
    await waitFor(() => s.emulator.messages(dm.body.to.conversation).find((m) => m.text === "Your report is ready"), { what: "the DM" });

    assert.equal((await outbound({ channel: "slack", to: "#notes", text: "x" }, {})).status, 401);
    const unknown = await outbound({ channel: "nope", to: "#notes", text: "x" });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /no channel "nope" \(channels: .*slack/);
    const api = await outbound({ channel: "api", to: "someone", text: "x" });
    assert.equal(api.status, 400);
    assert.match(api.body.error, /http channel, which cannot send first/);
    const target = await outbound({ channel: "slack", to: "#no-such-room", text: "x" });
    assert.equal(target.status, 404, JSON.stringify(target.body));
    assert.equal((await outbound({ channel: "slack", to: "#notes" })).status, 400);
  });

  it("a schedule from the config fires on its slots; its agent's answers reach the channel and its runs are recorded", async () => {
    const messages = await botMessages(s.emulator, "CDAILY001", 2, 15_000);
    assert.ok(messages.every((m) => m.text === "ok: Summarize the day."), JSON.stringify(messages));
    const listed = await getJson(`${s.t.url}/v1/schedules`, adminHeaders);
    const entry = listed.body.schedules.find((x: { name: string }) => x.name === "from-config");
    assert.equal(entry.source, "config");
    assert.equal(entry.kind, "every");
    assert.ok(entry.nextRunAt > Date.now() - 1000);
    const runs = await waitFor(async () => {
      const r = (await getJson(`${s.t.url}/v1/schedules/from-config/runs`, adminHeaders)).body.runs as Array<{ status: string; slot: string }>;
      return r.filter((x) => x.status === "delivered").length >= 2 ? r : undefined;
    });
    const slots = runs.filter((r) => r.status === "delivered").map((r) => r.slot);
    assert.equal(new Set(slots).size, slots.length, "each slot delivered once");

    assert.equal((await postJson(`${s.t.url}/v1/schedules/from-config/pause`, {}, adminHeaders)).status, 200);
    await new Promise((r) => setTimeout(r, 1_000));
    const paused = s.emulator.messages("CDAILY001").length;
    await new Promise((r) => setTimeout(r, 4_500));
    assert.equal(s.emulator.messages("CDAILY001").length, paused, "nothing fires while paused");
    const runNow = await postJson(`${s.t.url}/v1/schedules/from-config/run-now`, {}, adminHeaders);
    assert.equal(runNow.status, 202);
    await botMessages(s.emulator, "CDAILY001", paused + 1);
    assert.equal((await postJson(`${s.t.url}/v1/schedules/from-config/resume`, {}, adminHeaders)).status, 200);
  });

  it("a schedule made through the API sends a fixed text at its time, once, and can be deleted", async () => {
    const at = new Date(Date.now() + 2_000).toISOString();
    const created = await postJson(`${s.t.url}/v1/schedules`, { name: "standup", at, text: "Standup in 5 minutes", target: { channel: "slack", to: "#reminders" } }, adminHeaders);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.source, "store");
    const [shown] = await botMessages(s.emulator, "CREMIND01");
    assert.equal(shown!.text, "Standup in 5 minutes");
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(s.emulator.messages("CREMIND01").length, 1, "a one-shot fires once");

    const bad = await postJson(`${s.t.url}/v1/schedules`, { name: "bad", cron: "61 * * * *", text: "x", target: { channel: "slack", to: "#reminders" } }, adminHeaders);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /schedules\.bad\.cron/);
    const clash = await postJson(`${s.t.url}/v1/schedules`, { name: "from-config", every: "1h", text: "x", target: { channel: "slack", to: "#reminders" } }, adminHeaders);
    assert.equal(clash.status, 409);
    assert.equal((await fetch(`${s.t.url}/v1/schedules/standup`, { method: "DELETE", headers: adminHeaders })).status, 204);
    assert.equal((await getJson(`${s.t.url}/v1/schedules/standup`, adminHeaders)).status, 404);
    assert.equal((await fetch(`${s.t.url}/v1/schedules/from-config`, { method: "DELETE", headers: adminHeaders })).status, 409);
  });
});
