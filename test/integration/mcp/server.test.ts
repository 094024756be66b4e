/**
 * The gateway's MCP server, driven by the official `@modelcontextprotocol/sdk` client over
 * Streamable HTTP: the tools it lists, a message sent through it arriving in the Slack emulator,
 * a token kept to its channels and to its own sessions, schedules within the grant, and clear
 * refusals (401 for a bad token, a tool error for anything outside the grant).
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createLogger } from "../../../src/core/log.ts";
import { createMcpHandler } from "../../../src/mcp/index.ts";
import { toNodeListener } from "../../../src/server/node-adapter.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages } from "../slack/setup.ts";
import { gatewayMcpDeps } from "../../../src/mcp/gateway-deps.ts";
import { GRANTS, startMcpSetup, TOKENS, type McpSetup } from "./setup.ts";

type ToolResult = { content: Array<{ type: string; text?: string }>; structuredContent?: any; isError?: boolean };

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

function errorText(result: ToolResult): string {
  assert.equal(result.isError, true, `expected a tool error, got ${JSON.stringify(result)}`);
  return result.content.map((c) => c.text ?? "").join("\n");
}

describe("the gateway's MCP server, through the official SDK client", () => {
  let s: McpSetup;
  let helper: Client;
  let reporter: Client;
  before(async () => {
    s = await startMcpSetup();
    helper = await s.connect(TOKENS.helper);
    reporter = await s.connect(TOKENS.reporter);
  });
  after(() => s.stop());

  it("lists its five tools, each with a description and an input schema a model can follow", async () => {
    const { tools } = await helper.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["get_session", "list_channels", "list_sessions", "schedule_message", "send_message"]);
    for (const tool of tools) assert.ok((tool.description ?? "").length > 40, `${tool.name} explains itself`);
    const send = tools.find((t) => t.name === "send_message")!;
    assert.equal(send.inputSchema.type, "object");
    assert.deepEqual([...(send.inputSchema.required ?? [])].sort(), ["channel", "text", "to"]);
    assert.match(JSON.stringify(send.inputSchema.properties), /#channel-name/, "the target forms are described");
    const schedule = tools.find((t) => t.name === "schedule_message")!;
    assert.deepEqual(Object.keys(schedule.inputSchema.properties ?? {}).sort(), ["at", "channel", "cron", "every", "instruction", "name", "text", "timezone", "to"]);
    assert.equal(s.slack.emulator.messages("CDEVUPDATES").length, 0, "listing sends nothing");
  });

  it("send_message delivers to a Slack channel: the message arrives in the emulator", async () => {
    const result = await call(helper, "send_message", { channel: "slack", to: "#dev-updates", text: "**Deploy** finished" });
    assert.equal(result.isError, undefined, JSON.stringify(result));
    assert.equal(result.structuredContent.status, "queued for delivery");
    assert.deepEqual(JSON.parse(result.content[0]!.text!), result.structuredContent, "the text is the same JSON, for models");
    const [shown] = await botMessages(s.slack.emulator, "CDEVUPDATES");
    assert.equal(shown!.text, "*Deploy* finished", "rendered as Slack mrkdwn");
    const session = await s.slack.t.gw.gateway.store.getSession(result.structuredContent.sessionId);
    assert.equal(session?.channel, "slack", "the send opened the conversation's session");
    const audit = await waitFor(async () => (await s.slack.t.gw.gateway.store.listAudit({ kind: "message.sent" }))[0], { what: "the send in the audit log" });
    assert.equal(audit.actor, "agent:helper", "recorded as sent by the agent");
  });

  it("the same id twice sends once", async () => {
    const first = await call(helper, "send_message", { channel: "slack", to: "#dev-updates", text: "once only", id: "reminder-42" });
    const again = await call(helper, "send_message", { channel: "slack", to: "#dev-updates", text: "once only", id: "reminder-42" });
    assert.equal(again.structuredContent.status, "already sent (same id)");
    assert.equal(again.structuredContent.messageId, first.structuredContent.messageId);
    await botMessages(s.slack.emulator, "CDEVUPDATES", 2);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.slack.emulator.messages("CDEVUPDATES").filter((m) => m.text === "once only").length, 1);
  });

  it("a token without permission for the channel gets a clear tool error, and nothing is sent", async () => {
    const before = s.slack.emulator.messages("CDEVUPDATES").length;
    const result = await call(reporter, "send_message", { channel: "slack", to: "#dev-updates", text: "let me in" });
    assert.equal(errorText(result), 'error: channel "slack" is not allowed for agent "reporter": its gatewayTools.channels allow only "api"');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(s.slack.emulator.messages("CDEVUPDATES").length, before);
  });

  it("a target the channel cannot resolve comes back as a tool error with the channel's own reason", async () => {
    const result = await call(helper, "send_message", { channel: "slack", to: "#no-such-room", text: "hello?" });
    assert.match(errorText(result), /no Slack channel #no-such-room that the bot can see/);
    assert.match(errorText(await call(helper, "send_message", { channel: "nowhere", to: "x", text: "hi" })), /channel "nowhere" is not allowed/);
  });

  it("arguments that do not fit the schema are a tool error naming the field", async () => {
    const result = await call(helper, "send_message", { channel: "slack", to: "#dev-updates" });
    assert.match(errorText(result), /Input validation error.*text/s);
  });

  it("list_channels shows every channel and where this token may send", async () => {
    const forHelper = (await call(helper, "list_channels")).structuredContent.channels;
    const forReporter = (await call(reporter, "list_channels")).structuredContent.channels;
    const slack = forHelper.find((c: any) => c.id === "slack");
    assert.deepEqual(slack, { id: "slack", type: "slack", canSendFirst: true, mayCallSendMessage: true });
    assert.equal(forReporter.find((c: any) => c.id === "slack").mayCallSendMessage, false);
    assert.ok(forHelper.some((c: any) => c.id === "api"), "the API channel is listed too");
  });

  it("list_sessions and get_session show only the calling agent's sessions", async () => {
    const gw = s.slack.t.gw;
    await gw.send({ user: "ann", agent: "helper" }, "remind me about the retro");
    await gw.send({ user: "bob", agent: "reporter" }, "secret plans of bob");
    const mine = (await call(helper, "list_sessions")).structuredContent.sessions;
    assert.ok(mine.length >= 2, "helper's chat and its sends");
    const all = await gw.gateway.store.listSessions({});
    const agentOf = (id: string) => all.find((x) => x.id === id)?.agent;
    assert.ok(mine.every((x: any) => agentOf(x.id) === "helper"), "nothing of reporter's");
    const annSession = mine.find((x: any) => x.userId === "ann");
    assert.ok(annSession, "ann's chat with helper is listed");
    assert.match(annSession.lastActivityAt, /^\d{4}-\d\d-\d\dT/);

    const read = await call(helper, "get_session", { id: annSession.id });
    assert.deepEqual(
      read.structuredContent.transcript.map((e: any) => `${e.role}: ${e.text}`),
      ["user: remind me about the retro", "assistant: remind me about the retro"],
    );
    const bobs = (await call(reporter, "list_sessions", { user: "bob" })).structuredContent.sessions;
    assert.equal(bobs.length, 1);
    const refused = await call(helper, "get_session", { id: bobs[0].id });
    assert.equal(errorText(refused), `error: agent "helper" has no session "${bobs[0].id}"; list_sessions shows yours`);
    assert.doesNotMatch(JSON.stringify(refused), /secret plans/);
  });

  it("schedule_message creates a schedule within the grant and answers with its next run", async () => {
    const result = await call(helper, "schedule_message", { cron: "0 9 * * 1-5", timezone: "Europe/Berlin", channel: "slack", to: "#dev-updates", instruction: "Summarize yesterday's deploys.", name: "weekday-summary" });
    assert.equal(result.isError, undefined, JSON.stringify(result));
    assert.equal(result.structuredContent.name, "weekday-summary");
    const next = new Date(result.structuredContent.nextRunAt);
    assert.ok(next.getTime() > Date.now());
    assert.equal(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit" }).format(next), "09:00");
    // Kept in the store, run by the gateway as the calling agent.
    const recorded = (await s.storedSchedules()).find((v) => v.name === "weekday-summary")!;
    assert.equal(recorded.createdBy, "agent:helper");
    assert.equal(recorded.agent, "helper");
    assert.deepEqual(recorded.target, { channel: "slack", to: "#dev-updates" });
    assert.equal(recorded.nextRunAt, next.getTime());
  });

  it("schedule_message refuses what the grant or the shape does not allow, and says why", async () => {
    const count = (await s.storedSchedules()).length;
    assert.equal(
      errorText(await call(reporter, "schedule_message", { every: "1h", channel: "api", to: "bob", text: "ping" })),
      'error: agent "reporter" may not create schedules: its gatewayTools.schedule is false (it may still send_message now)',
    );
    assert.match(errorText(await call(helper, "schedule_message", { every: "1h", channel: "email", to: "a@b.c", text: "x" })), /channel "email" is not allowed for agent "helper": its gatewayTools.channels allow only "slack", "api"/);
    assert.match(errorText(await call(helper, "schedule_message", { cron: "0 9 * * *", every: "1h", channel: "slack", to: "#dev-updates", text: "x" })), /exactly one of cron, at and every \(got cron and every\)/);
    assert.match(errorText(await call(helper, "schedule_message", { at: "2030-01-01T09:00", channel: "slack", to: "#dev-updates" })), /exactly one of text .* and instruction/);
    assert.match(errorText(await call(helper, "schedule_message", { cron: "every morning", channel: "slack", to: "#dev-updates", text: "x" })), /cron/);
    assert.equal((await s.storedSchedules()).length, count, "nothing was scheduled");
  });

  it("a missing or unknown token gets HTTP 401 with a JSON reason and a Bearer challenge", async () => {
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } } };
    const post = (headers: Record<string, string>) =>
      fetch(s.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(initialize) });
    const none = await post({});
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer\b/);
    assert.match((await none.json()).error, /Authorization: Bearer <token>/);
    const wrong = await post({ authorization: "Bearer not-a-real-token-0000000000" });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /^Bearer .*error="invalid_token"/);
    const body = await wrong.text();
    assert.match(JSON.parse(body).error, /unknown token/);
    assert.doesNotMatch(body, /not-a-real-token/, "the token is not echoed");

    await assert.rejects(s.connect("not-a-real-token-0000000000"), (error: unknown) => error instanceof StreamableHTTPError && error.code === 401);
  });

  it("a body over the limit (1 MiB) is refused with 413 before any tool runs", async () => {
    const count = s.slack.emulator.messages("CDEVUPDATES").length;
    const huge = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "send_message", arguments: { channel: "slack", to: "#dev-updates", text: "x".repeat(1_100_000) } } });
    // A connection of its own: the gateway answers before reading such a body, and one left half-read is not reused.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(s.url, {
        method: "POST",
        agent: false,
        headers: { authorization: `Bearer ${TOKENS.helper}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18", "content-length": Buffer.byteLength(huge) },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      req.end(huge);
    });
    assert.equal(status, 413);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(s.slack.emulator.messages("CDEVUPDATES").length, count);
  });

  it("GET and DELETE are not offered (the server is stateless), and say so", async () => {
    const get = await fetch(s.url, { headers: { authorization: `Bearer ${TOKENS.helper}`, accept: "text/event-stream" } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    assert.match((await get.json()).error.message, /stateless/);
    const del = await fetch(s.url, { method: "DELETE", headers: { authorization: `Bearer ${TOKENS.helper}` } });
    assert.equal(del.status, 405);
  });
});

describe("the gateway's MCP server when the gateway itself fails", () => {
  it("a tool failure that is the gateway's bug is logged and told to no one", async () => {
    const lines: string[] = [];
    const deps = gatewayMcpDeps({
      gateway: () => {
        throw new Error("store exploded at /var/lib/switchboard/db password=hunter2");
      },
      schedules: () => {
        throw new Error("no schedules");
      },
      grants: Object.entries(GRANTS),
    });
    const server = createServer(toNodeListener(createMcpHandler(deps, { log: createLogger({ level: "error", write: (line) => lines.push(line) }) })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new Client({ name: "switchboard-test", version: "1.0.0" });
    try {
      const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${TOKENS.helper}` } } }));
      const result = (await client.callTool({ name: "list_channels", arguments: {} })) as ToolResult;
      assert.equal(errorText(result), "error: list_channels failed inside the gateway; try again later");
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /"msg":"MCP tool failed".*"tool":"list_channels".*store exploded/);
      assert.doesNotMatch(lines[0]!, /hunter2/, "the log line is scrubbed too");
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
