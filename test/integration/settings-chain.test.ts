import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startGateway, postJson, type TestGateway } from "../helpers/gateway.ts";
import { mergeSettings } from "../../src/core/settings.ts";

describe("agent settings: channel > user > the agent's own", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway(
      {
        defaultAgent: "probe",
        agents: {},
        channels: {
          api: { type: "http" },
          ops: { type: "http", agentSettings: { model: "ops-model", env: { LEVEL: "channel" }, mcpServers: { grafana: { command: "grafana-mcp" } } } },
        },
        users: {
          "alice@example.com": { unixUser: "alice", agentSettings: { model: "alice-model", cwd: "/work/alice", env: { LEVEL: "user", TEAM: "platform" }, mcpServers: { docs: { url: "https://mcp.example.com" } } } },
          bob: { agentSettings: { permissionMode: "plan" } },
        },
      },
      (gw) =>
        gw.addAgent("probe", async (input) =>
          JSON.stringify({ settings: input.settings, user: input.user, model: input.settings.model ?? "agent-default" }),
        ),
    );
  });
  after(() => t.stop());

  const ask = async (channel: string, body: Record<string, unknown>) => JSON.parse((await postJson(`${t.url}/channels/${channel}`, body)).body.reply);

  it("with no channel or user settings the agent uses its own", async () => {
    const seen = await ask("api", { user: "carol", text: "hi" });
    assert.deepEqual(seen.settings, {});
    assert.equal(seen.model, "agent-default");
  });

  it("a user's settings apply, matched by id or by email", async () => {
    assert.equal((await ask("api", { user: "bob", text: "hi" })).settings.permissionMode, "plan");
    const alice = await ask("api", { user: "U123", email: "alice@example.com", text: "hi" });
    assert.equal(alice.model, "alice-model");
    assert.equal(alice.settings.cwd, "/work/alice");
    assert.equal(alice.user.unixUser, "alice");
  });

  it("the channel's settings win over the user's; env and MCP servers merge by key", async () => {
    const alice = await ask("ops", { user: "U123", email: "alice@example.com", text: "hi" });
    assert.equal(alice.model, "ops-model");
    assert.equal(alice.settings.cwd, "/work/alice");
    assert.deepEqual(alice.settings.env, { LEVEL: "channel", TEAM: "platform" });
    assert.deepEqual(Object.keys(alice.settings.mcpServers).sort(), ["docs", "grafana"]);
  });
});

describe("mergeSettings", () => {
  it("later layers win, undefined never erases", () => {
    assert.deepEqual(mergeSettings({ model: "a", cwd: "/a" }, { model: undefined, cwd: "/b" }, undefined), { model: "a", cwd: "/b" });
  });
});
