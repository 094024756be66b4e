/**
 * Agents given the gateway's MCP server in their settings (`mcpServers.switchboard`, a url and a
 * bearer token) use its tools: the `openai` and `anthropic` kinds connect with the official SDK
 * client, offer the tools to the model (emulated, on the real wire format), run the model's calls
 * through MCP and feed the results back; a server that refuses them fails the turn clearly.
 */
import { describe, it, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createAnthropicAgent } from "../../../src/agents/anthropic/index.ts";
import { createOpenaiAgent } from "../../../src/agents/openai/index.ts";
import type { McpServerConfig } from "../../../src/core/agent.ts";
import { AgentError } from "../../../src/core/errors.ts";
import { modelToolName } from "../../../src/mcp/client/names.ts";
import { GATEWAY_MCP_SERVER, gatewayMcpServer } from "../../../src/mcp/index.ts";
import { startFakeAnthropic, reply, type FakeAnthropic } from "../../emulators/anthropic/server.ts";
import { startOpenAiFake, type OpenAiFake } from "../../emulators/openai/server.ts";
import { collectEvents, turnInput } from "../../helpers/turn-input.ts";
import { closedPort } from "../../helpers/net.ts";
import { botMessages } from "../slack/setup.ts";
import { startMcpSetup, TOKENS, type McpSetup } from "./setup.ts";

/** How the gateway hands an agent its MCP server (setup.ts serves it at <base>/mcp). */
const switchboard = (url: string, token: string): Record<string, McpServerConfig> => ({ [GATEWAY_MCP_SERVER]: gatewayMcpServer(url.replace(/\/mcp$/, ""), token) });

/** The model's answer to a list_channels result: the ids it may post to, as a model would sum it up. */
function channelsAnswer(toolResult: string): string {
  const { channels } = JSON.parse(toolResult) as { channels: Array<{ id: string; mayCallSendMessage: boolean }> };
  return `I can post to: ${channels.filter((c) => c.mayCallSendMessage).map((c) => c.id).join(", ")}`;
}

describe("an openai agent in the gateway, given the gateway's MCP server", () => {
  let fake: OpenAiFake;
  let s: McpSetup;
  before(async () => {
    fake = await startOpenAiFake({ apiKey: "sk-test-mcp-0123456789" });
    // The gateway hands the helper agent its own /mcp and token (gatewayTools): no mcpServers written anywhere.
    s = await startMcpSetup({ agents: { helper: { kind: "openai", baseUrl: fake.url, apiKey: "sk-test-mcp-0123456789", model: "gpt-fake", maxRetries: 0 } } });
  });
  after(async () => {
    await s.stop();
    await fake.close();
  });
  beforeEach(() => (fake.requests.length = 0));

  it("calls list_channels through the gateway and answers with the result", async () => {
    fake.enqueue(
      { kind: "tool_calls", calls: [{ id: "call_lc", name: "switchboard__list_channels", arguments: {} }] },
      { kind: "computed", reply: (body) => ({ kind: "text", text: channelsAnswer(body.messages.at(-1).content) }) },
    );
    const answer = await s.slack.t.gw.send({ user: "ann", agent: "helper" }, "Where can you post?");
    assert.equal(answer.status, "done", answer.reply);
    assert.equal(answer.reply, "I can post to: slack");

    const [first, second] = fake.completions;
    const offered = first!.body.tools.map((t: any) => t.function.name).sort();
    assert.deepEqual(offered, ["switchboard__get_session", "switchboard__list_channels", "switchboard__list_sessions", "switchboard__schedule_message", "switchboard__send_message"]);
    const send = first!.body.tools.find((t: any) => t.function.name === "switchboard__send_message").function;
    assert.equal(send.parameters.type, "object");
    assert.deepEqual([...send.parameters.required].sort(), ["channel", "text", "to"]);
    assert.equal(send.parameters.$schema, undefined, "no $schema key for the model API");
    const result = second!.body.messages.at(-1);
    assert.equal(result.role, "tool");
    assert.equal(result.tool_call_id, "call_lc");
    assert.deepEqual(JSON.parse(result.content).channels.find((c: any) => c.id === "slack"), { id: "slack", type: "slack", canSendFirst: true, mayCallSendMessage: true });
  });

  it("notifies a Slack channel with send_message: the message arrives in the emulator", async () => {
    fake.enqueue(
      { kind: "tool_calls", calls: [{ id: "call_send", name: "switchboard__send_message", arguments: { channel: "slack", to: "#dev-updates", text: "Build 812 is **green**" } }] },
      { kind: "computed", reply: (body) => ({ kind: "text", text: `Posted (${JSON.parse(body.messages.at(-1).content).status}).` }) },
    );
    const answer = await s.slack.t.gw.send({ user: "ann", agent: "helper" }, "Tell #dev-updates the build is green");
    assert.equal(answer.reply, "Posted (queued for delivery).");
    const shown = await botMessages(s.slack.emulator, "CDEVUPDATES");
    assert.ok(shown.some((m) => m.text === "Build 812 is *green*"), JSON.stringify(shown));
  });

  it("a tool error from the gateway (channel outside its grant) reaches the model as an error tool result", async () => {
    const agent = createOpenaiAgent("reporter", { kind: "openai", baseUrl: fake.url, apiKey: "sk-test-mcp-0123456789", model: "gpt-fake" }, { baseDir: ".", agents: () => ["reporter"] });
    fake.enqueue({ kind: "tool_calls", calls: [{ id: "c1", name: "switchboard__send_message", arguments: { channel: "slack", to: "#dev-updates", text: "hi" } }] }, { kind: "text", text: "I may not post there." });
    const events = await collectEvents(agent.run(turnInput("post to slack", { settings: { mcpServers: switchboard(s.url, TOKENS.reporter) } })));
    const end = events.find((e) => e.type === "tool.end");
    assert.deepEqual(end, { type: "tool.end", id: "c1", name: "switchboard__send_message", output: 'error: channel "slack" is not allowed for agent "reporter": its gatewayTools.channels allow only "api"', isError: true });
    assert.match(fake.completions[1]!.body.messages.at(-1).content, /not allowed for agent "reporter"/);
    assert.deepEqual(events.at(-1), { type: "message", text: "I may not post there." });
  });

  it("a token the server refuses fails the turn with an error naming the server, not the token", async () => {
    const agent = createOpenaiAgent("helper", { kind: "openai", baseUrl: fake.url, apiKey: "sk-test-mcp-0123456789", model: "gpt-fake" }, { baseDir: ".", agents: () => ["helper"] });
    const run = collectEvents(agent.run(turnInput("hi", { settings: { mcpServers: switchboard(s.url, "wrong-token-abcdefghijklmnop") } })));
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof AgentError);
      assert.match(error.message, /^agents\.helper: the MCP server "switchboard" could not connect: refused the credentials in its headers \(HTTP 401\)$/);
      return true;
    });
    assert.equal(fake.completions.length, 0, "the model is not asked without its tools");
  });

  it("two servers whose tools would get the same name fail the turn with a clear error, before the model is asked", async () => {
    const agent = createOpenaiAgent("helper", { kind: "openai", baseUrl: fake.url, apiKey: "sk-test-mcp-0123456789", model: "gpt-fake" }, { baseDir: ".", agents: () => ["helper"] });
    const servers = { "gw.one": switchboard(s.url, TOKENS.helper).switchboard!, gw_one: switchboard(s.url, TOKENS.reporter).switchboard! };
    await assert.rejects(collectEvents(agent.run(turnInput("hi", { settings: { mcpServers: servers } }))), /the MCP tool "list_channels" of server "gw_one" would be called gw_one__list_channels, like a tool of server "gw.one"; rename the server/);
    assert.equal(fake.completions.length, 0);
  });

  it("an unreachable server fails the turn clearly; servers without a url (for CLI agents) are left alone", async () => {
    const agent = createOpenaiAgent("helper", { kind: "openai", baseUrl: fake.url, apiKey: "sk-test-mcp-0123456789", model: "gpt-fake" }, { baseDir: ".", agents: () => ["helper"] });
    const down = `http://127.0.0.1:${await closedPort()}/mcp`;
    await assert.rejects(collectEvents(agent.run(turnInput("hi", { settings: { mcpServers: { tracker: { url: down } } } }))), /MCP server "tracker" could not connect: unreachable \(ECONNREFUSED\)/);
    fake.enqueue({ kind: "text", text: "plain answer" });
    const events = await collectEvents(agent.run(turnInput("hi", { settings: { mcpServers: { files: { command: "mcp-files", args: ["/tmp"] } } } })));
    assert.deepEqual(events.at(-1), { type: "message", text: "plain answer" });
    assert.equal(fake.completions.at(-1)!.body.tools, undefined, "no tools offered");
  });
});

describe("an anthropic agent given the gateway's MCP server", () => {
  let fake: FakeAnthropic;
  let s: McpSetup;
  before(async () => {
    fake = await startFakeAnthropic();
    s = await startMcpSetup();
  });
  after(async () => {
    await s.stop();
    await fake.close();
  });

  it("calls list_channels as a tool_use and answers from the tool_result", async () => {
    const agent = createAnthropicAgent("helper", { kind: "anthropic", baseUrl: fake.url, apiKey: fake.apiKey, model: "claude-test" }, { baseDir: ".", agents: () => ["helper"] });
    fake.enqueue(reply.toolUse("switchboard__list_channels", {}, { id: "toolu_lc", text: "Let me look." }), {
      kind: "computed",
      reply: (body) => reply.text(channelsAnswer(body.messages.at(-1).content[0].content)),
    });
    const events = await collectEvents(agent.run(turnInput("Where can you post?", { settings: { mcpServers: switchboard(s.url, TOKENS.helper) } })));
    assert.deepEqual(events.at(-1), { type: "message", text: "I can post to: slack" });
    assert.ok(events.some((e) => e.type === "tool.end" && e.name === "switchboard__list_channels" && e.isError === false));

    const [first, second] = fake.accepted();
    const tool = first!.body.tools.find((t: any) => t.name === "switchboard__schedule_message");
    assert.equal(tool.input_schema.type, "object");
    assert.match(tool.description, /exactly one of cron, at and every/);
    const result = second!.body.messages.at(-1).content[0];
    assert.equal(result.type, "tool_result");
    assert.equal(result.tool_use_id, "toolu_lc");
    assert.equal(result.is_error, undefined);
  });

  it("a schedule the grant does not allow comes back as an is_error tool_result", async () => {
    const agent = createAnthropicAgent("reporter", { kind: "anthropic", baseUrl: fake.url, apiKey: fake.apiKey, model: "claude-test" }, { baseDir: ".", agents: () => ["reporter"] });
    fake.enqueue(reply.toolUse("switchboard__schedule_message", { every: "1h", channel: "api", to: "bob", text: "ping" }, { id: "toolu_s" }), reply.text("I cannot schedule that."));
    const events = await collectEvents(agent.run(turnInput("remind bob hourly", { settings: { mcpServers: switchboard(s.url, TOKENS.reporter) } })));
    assert.deepEqual(events.at(-1), { type: "message", text: "I cannot schedule that." });
    const result = fake.accepted().at(-1)!.body.messages.at(-1).content[0];
    assert.equal(result.is_error, true);
    assert.match(result.content, /may not create schedules/);
    assert.equal((await s.storedSchedules()).length, 0);
  });
});

describe("MCP tool names as models see them", () => {
  it("are <server>__<tool> in the characters model APIs take, cut to their limit without two becoming one", () => {
    assert.equal(modelToolName("switchboard", "send_message", 64), "switchboard__send_message");
    assert.equal(modelToolName("my.tracker", "find issue", 64), "my_tracker__find_issue");
    const long = (end: string) => modelToolName("tracker", `${"search_".repeat(12)}${end}`, 64);
    assert.equal(long("a").length, 64);
    assert.match(long("a"), /^tracker__search_search_.*_[0-9a-f]{8}$/);
    assert.notEqual(long("a"), long("b"));
    assert.equal(long("a"), long("a"), "the same tool gets the same name every turn");
  });
});
