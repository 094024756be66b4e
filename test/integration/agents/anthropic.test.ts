import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import type { TranscriptEntry } from "../../../src/core/agent.ts";
import { AgentError, ConfigError } from "../../../src/core/errors.ts";
import { estimateTokens } from "../../../src/core/context-budget.ts";
import { replies } from "../../../src/core/turn.ts";
import { anthropicAgentSchema, createAnthropicAgent, type AnthropicAgentConfig } from "../../../src/agents/anthropic/index.ts";
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeReply } from "../../emulators/anthropic/server.ts";
import { collectEvents, turnInput } from "../../helpers/turn-input.ts";
import { adminHeaders, getJson, parseSse, postJson, startGateway, type TestGateway } from "../../helpers/gateway.ts";
import { closedPort } from "../../helpers/net.ts";

const MODEL = "claude-sonnet-4-6";

function agentFor(fake: { url: string; apiKey: string }, config: Partial<AnthropicAgentConfig> = {}, id = "claude", known = ["claude", "helper"]) {
  const parsed = anthropicAgentSchema.parse({ kind: "anthropic", baseUrl: fake.url, apiKey: fake.apiKey, model: MODEL, ...config });
  return createAnthropicAgent(id, parsed, { baseDir: process.cwd(), agents: () => known });
}


const failure = (run: Promise<unknown>) => run.then(() => assert.fail("expected the turn to fail"), (e: unknown) => e as Error);

describe("anthropic agent, direct", () => {
  let fake: FakeAnthropic;
  before(async () => {
    fake = await startFakeAnthropic();
  });
  after(() => fake.close());

  it("streams text deltas as they arrive and ends with the full message", async () => {
    fake.enqueue(reply.text("Hello there, Ana!", ["Hel", "lo there", ", Ana!"]));
    const events = await collectEvents(agentFor(fake, { system: "Be brief.", temperature: 0.2 }).run(turnInput("hi")));
    assert.deepEqual(events, [
      { type: "text.delta", text: "Hel" },
      { type: "text.delta", text: "lo there" },
      { type: "text.delta", text: ", Ana!" },
      { type: "message", text: "Hello there, Ana!" },
    ]);
    const { headers, body, rejected } = fake.requests.at(-1)!;
    assert.equal(rejected, undefined);
    assert.match(String(headers["anthropic-version"]), /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(headers["x-api-key"] === fake.apiKey || headers.authorization === `Bearer ${fake.apiKey}`);
    assert.deepEqual(body, { model: MODEL, max_tokens: 1024, messages: [{ role: "user", content: "hi" }], stream: true, system: "Be brief.", temperature: 0.2 });
  });

  it("sends the transcript trimmed to the budget, alternating and starting with the user", async () => {
    const transcript: TranscriptEntry[] = [];
    for (let i = 0; i < 30; i++) transcript.push({ role: i % 2 === 0 ? "user" : "assistant", text: `${i} ${"x".repeat(396)}`, at: i });
    // A failed turn leaves a user entry with no answer: two user entries in a row.
    transcript.push({ role: "user", text: "a question that failed", at: 30 });
    await collectEvents(agentFor(fake, { contextBudget: 1000 }).run(turnInput("and now?", { transcript })));
    const { body, rejected } = fake.requests.at(-1)!;
    assert.equal(rejected, undefined, "the API would have refused the request");
    const messages = body.messages as Array<{ role: string; content: string }>;
    assert.ok(messages.length > 1 && messages.length < 12, `sent ${messages.length} messages for 31 entries`);
    messages.forEach((m, i) => assert.equal(m.role, i % 2 === 0 ? "user" : "assistant", `message ${i}`));
    assert.equal(messages.at(-2)!.content, transcript[29]!.text);
    assert.equal(messages.at(-1)!.content, "a question that failed\n\nand now?");
    assert.ok(messages.reduce((sum, m) => sum + estimateTokens(m.content), 0) <= 1000);
  });

  it("uses the model from the turn's settings over the configured one, and fails clearly with none", async () => {
    await collectEvents(agentFor(fake).run(turnInput("x", { settings: { model: "claude-opus-4-5" } })));
    assert.equal(fake.requests.at(-1)!.body.model, "claude-opus-4-5");
    const error = await failure(collectEvents(agentFor(fake, { model: undefined }).run(turnInput("x"))));
    assert.ok(error instanceof AgentError && /no model is set/.test(error.message));
  });

  it("a tool call streamed as input_json_delta fragments runs the delegate and sends its result back", async () => {
    fake.enqueue(
      reply.toolUse("delegate_to_helper", { task: "count the open issues", label: "triage", expose_to_user: true }, { text: "Asking the helper.", id: "toolu_01abc", fragmentSize: 5 }),
      reply.text("There are 7 open issues."),
    );
    const input = turnInput("how many issues?", { delegate: () => ({ status: "done", reply: "7 open issues", sessionId: "sub-1" }) });
    const events = await collectEvents(agentFor(fake, { delegates: ["helper"] }).run(input));
    assert.deepEqual(input.delegations, [{ agent: "helper", text: "count the open issues", expose: true, label: "triage" }]);
    assert.deepEqual(
      events.filter((e) => e.type.startsWith("tool.")),
      [
        { type: "tool.start", id: "toolu_01abc", name: "delegate_to_helper", input: { task: "count the open issues", label: "triage", expose_to_user: true } },
        { type: "tool.end", id: "toolu_01abc", name: "delegate_to_helper", output: "7 open issues", isError: false },
      ],
    );
    assert.deepEqual(events.at(-1), { type: "message", text: "There are 7 open issues." });

    const [first, second] = fake.requests.slice(-2);
    assert.deepEqual(first!.body.tools.map((t: { name: string }) => t.name), ["delegate_to_helper"]);
    assert.deepEqual(first!.body.tools[0].input_schema.required, ["task"]);
    assert.equal(second!.rejected, undefined);
    assert.deepEqual(second!.body.messages.slice(1), [
      {
        role: "assistant",
        content: [
          { type: "text", text: "Asking the helper." },
          { type: "tool_use", id: "toolu_01abc", name: "delegate_to_helper", input: { task: "count the open issues", label: "triage", expose_to_user: true } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01abc", content: "7 open issues" }] },
    ]);
  });

  it("a failed delegation, an unknown tool and unparseable input become error results, and the turn still answers", async () => {
    fake.enqueue(
      { kind: "message", stopReason: "tool_use", blocks: [
        { type: "tool_use", id: "toolu_1", name: "delegate_to_helper", input: { task: "do it" } },
        { type: "tool_use", id: "toolu_2", name: "delete_everything", input: {} },
        { type: "tool_use", id: "toolu_3", name: "delegate_to_helper", input: '{"task": "unterminated' },
      ] },
      reply.text("Sorry, my helpers are unavailable."),
    );
    const input = turnInput("go", { delegate: () => ({ status: "failed", reply: replies.failed, sessionId: "sub-1" }) });
    const events = await collectEvents(agentFor(fake, { delegates: ["helper"] }).run(input));
    assert.equal(input.delegations.length, 1);
    assert.deepEqual(events.filter((e) => e.type === "tool.end").map((e) => [e.id, e.isError]), [["toolu_1", true], ["toolu_2", true], ["toolu_3", true]]);
    const results = fake.requests.at(-1)!.body.messages.at(-1).content;
    assert.deepEqual(results.map((r: { tool_use_id: string; is_error?: boolean }) => [r.tool_use_id, r.is_error]), [["toolu_1", true], ["toolu_2", true], ["toolu_3", true]]);
    assert.match(results[1].content, /no tool named "delete_everything"/);
    assert.deepEqual(events.at(-1), { type: "message", text: "Sorry, my helpers are unavailable." });
  });

  it("after maxToolRounds the model is made to answer without tools", async () => {
    fake.enqueue(reply.toolUse("delegate_to_helper", { task: "one" }), reply.toolUse("delegate_to_helper", { task: "two" }), reply.text("Done after two rounds."));
    const input = turnInput("loop", { delegate: (r) => ({ status: "done", reply: `did ${r.text}`, sessionId: "s" }) });
    const events = await collectEvents(agentFor(fake, { delegates: ["helper"], maxToolRounds: 2 }).run(input));
    assert.equal(input.delegations.length, 2);
    assert.deepEqual(fake.requests.slice(-3).map((r) => r.body.tool_choice), [undefined, undefined, { type: "none" }]);
    assert.deepEqual(events.at(-1), { type: "message", text: "Done after two rounds." });
  });

  it("delegates naming unknown agents are a config error at creation", () => {
    assert.throws(() => agentFor(fake, { delegates: ["helper", "ghost"] }), (e) => e instanceof ConfigError && /agents\.claude\.delegates\[1\]: there is no agent "ghost"/.test(e.message));
  });

  it("the config schema checks switchboard.yaml values", () => {
    assert.equal(anthropicAgentSchema.safeParse({ kind: "anthropic", model: MODEL }).success, false, "apiKey is required");
    assert.equal(anthropicAgentSchema.safeParse({ kind: "anthropic", apiKey: "k", temperature: 3 }).success, false);
    assert.equal(anthropicAgentSchema.safeParse({ kind: "anthropic", apiKey: "k", baseUrl: "ftp://x" }).success, false);
    const parsed = anthropicAgentSchema.parse({ kind: "anthropic", apiKey: "k", maxTokens: "2048", contextBudget: "4000", turnTimeout: "30s", busy: "collect" });
    assert.equal(parsed.maxTokens, 2048);
    assert.equal(parsed.contextBudget, 4000);
  });

  it("an HTTP error fails with its status and type, never the key", async () => {
    fake.enqueue(reply.error(500, "api_error", "Internal server error"));
    const error = await failure(collectEvents(agentFor(fake, { maxRetries: 0 }).run(turnInput("x"))));
    assert.ok(error instanceof AgentError);
    assert.equal(error.message, `the Anthropic API at ${fake.url} answered 500 api_error: Internal server error`);
    const unauthorized = await failure(collectEvents(agentFor({ url: fake.url, apiKey: "sk-ant-wrong-key" }, { maxRetries: 0 }).run(turnInput("x"))));
    assert.match(unauthorized.message, /answered 401 authentication_error/);
    assert.ok(!unauthorized.message.includes("sk-ant-wrong-key"));
  });

  it("an overloaded API (529) is retried and the user still gets the answer", async () => {
    fake.enqueue({ kind: "error", status: 529, type: "overloaded_error", message: "Overloaded", headers: { "retry-after": "0" } }, reply.text("Made it."));
    const events = await collectEvents(agentFor(fake).run(turnInput("x")));
    assert.deepEqual(events.at(-1), { type: "message", text: "Made it." });
  });

  it("an error event inside the stream fails the turn", async () => {
    fake.enqueue({ kind: "stream-error", type: "overloaded_error", message: "Overloaded", blocks: [{ type: "text", text: "Half an ans" }] });
    const error = await failure(collectEvents(agentFor(fake).run(turnInput("x"))));
    assert.ok(error instanceof AgentError);
    assert.equal(error.message, "the Anthropic API reported overloaded_error mid-stream: Overloaded");
  });

  it("malformed or truncated streams fail the turn", async () => {
    fake.enqueue(
      { kind: "raw", body: 'event: message_start\ndata: {"type":"message_start","message":{not json\n\n' },
      { kind: "raw", body: 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","content":[]}}\n\n' },
      { kind: "raw", body: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}}\n\n' },
    );
    const agent = agentFor(fake, { maxRetries: 0 });
    await assert.rejects(collectEvents(agent.run(turnInput("x"))), /malformed stream from the Anthropic API: an event is not valid JSON/);
    await assert.rejects(collectEvents(agent.run(turnInput("x"))), /the stream ended before message_stop/);
    await assert.rejects(collectEvents(agent.run(turnInput("x"))), /"content_block_delta" before message_start/);
  });

  it("an unreachable endpoint fails with the reason", async () => {
    const port = await closedPort();
    const error = await failure(collectEvents(agentFor({ url: `http://127.0.0.1:${port}`, apiKey: "k" }, { maxRetries: 0 }).run(turnInput("x"))));
    assert.ok(error instanceof AgentError);
    assert.equal(error.message, `could not reach the Anthropic API at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it("aborting the turn stops a stalled stream promptly", async () => {
    fake.enqueue({ kind: "hang", midStream: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort("interrupt"), 150);
    const started = Date.now();
    const events = await collectEvents(agentFor(fake).run(turnInput("x", { signal: controller.signal })));
    assert.ok(Date.now() - started < 1000);
    assert.ok(!events.some((e) => e.type === "message"));
  });
});

describe("anthropic agent in a gateway", () => {
  let fake: FakeAnthropic;
  let t: TestGateway;
  const send = (user: string, text: string) => postJson(`${t.url}/v1/messages`, { user, text });
  before(async () => {
    fake = await startFakeAnthropic();
    t = await startGateway({ defaultAgent: "claude", agents: { helper: { kind: "echo", prefix: "echo: " } } }, (gw) => {
      gw.addAgent(agentFor(fake, { delegates: ["helper"], maxRetries: 0 }));
    });
  });
  after(async () => {
    await t.stop();
    await fake.close();
  });

  it("streamed deltas reach an SSE client", async () => {
    fake.enqueue(reply.text("Streaming from Claude, word by word."));
    const response = await fetch(`${t.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "sse-user", text: "stream please" }),
    });
    const frames = parseSse(await response.text());
    const deltas = frames.filter((f) => f.event === "text.delta").map((f) => f.data.text);
    assert.ok(deltas.length >= 5, `expected several deltas, got ${deltas.length}`);
    assert.equal(deltas.join(""), "Streaming from Claude, word by word.");
    assert.equal(frames.at(-1)!.event, "done");
    assert.equal(frames.at(-1)!.data.reply, "Streaming from Claude, word by word.");
  });

  it("a coordinator delegates to the echo helper; the tool result is the helper's reply", async () => {
    fake.enqueue(reply.toolUse("delegate_to_helper", { task: "check the build" }, { id: "toolu_01build" }), reply.text("The helper checked the build."));
    const res = await send("coord-user", "is the build green?");
    assert.equal(res.body.status, "done");
    assert.equal(res.body.reply, "The helper checked the build.");
    const second = fake.requests.at(-1)!;
    assert.equal(second.rejected, undefined);
    assert.deepEqual(second.body.messages.at(-1), { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01build", content: "echo: check the build" }] });
    const session = await getJson(`${t.url}/v1/sessions/${res.body.session}`, adminHeaders);
    assert.deepEqual(
      session.body.transcript.map((e: TranscriptEntry) => `${e.role}:${e.text}`),
      ["user:is the build green?", "assistant:The helper checked the build."],
    );
  });
});

describe("anthropic agent failures in a gateway", () => {
  let fake: FakeAnthropic;
  let t: TestGateway;
  let port: number;
  const send = (user: string, text: string) => postJson(`${t.url}/v1/messages`, { user, text });
  before(async () => {
    fake = await startFakeAnthropic();
    port = await closedPort();
    t = await startGateway({ defaultAgent: "claude", lanes: { turnTimeout: "500ms" }, routes: [{ name: "offline", when: { keyword: "offline" }, then: { agent: "offline" } }] }, (gw) => {
      gw.addAgent(agentFor(fake, { maxRetries: 0 }));
      gw.addAgent(agentFor({ url: `http://127.0.0.1:${port}`, apiKey: "k" }, { maxRetries: 0 }, "offline", ["claude", "offline"]));
    });
  });
  after(async () => {
    await t.stop();
    await fake.close();
  });

  const failures: Array<[string, FakeReply]> = [
    ["a 500 api_error", reply.error(500, "api_error", "Internal server error")],
    ["a 401 authentication_error", reply.error(401, "authentication_error", "invalid x-api-key")],
    ["an in-stream overloaded_error event", { kind: "stream-error", type: "overloaded_error", message: "Overloaded", blocks: [{ type: "text", text: "Partial" }] }],
    ["a malformed stream", { kind: "raw", body: "event: message_start\ndata: {oops\n\n" }],
  ];
  for (const [name, scripted] of failures) {
    it(`${name} gets the apology, and the session then answers the next message`, async () => {
      const user = `user-${name}`;
      fake.enqueue(scripted);
      const failed = await send(user, "first");
      assert.equal(failed.body.status, "failed");
      assert.equal(failed.body.reply, replies.failed);
      const next = await send(user, "second");
      assert.equal(next.body.status, "done");
      assert.equal(next.body.reply, "Hello from the fake Anthropic API. You said: first\n\nsecond");
      assert.equal(next.body.session, failed.body.session);
    });
  }

  it("an unreachable endpoint gets the apology", async () => {
    const res = await send("offline-user", "offline please");
    assert.equal(res.body.agent, "offline");
    assert.equal(res.body.status, "failed");
    assert.equal(res.body.reply, replies.failed);
  });

  it("a hung endpoint is cut by the turn timeout, and the next message works", async () => {
    fake.enqueue({ kind: "hang" });
    const hung = await send("hang-user", "are you there?");
    assert.equal(hung.body.status, "failed");
    assert.equal(hung.body.reply, replies.timeout(500));
    const next = await send("hang-user", "hello again");
    assert.equal(next.body.status, "done");
    assert.match(next.body.reply, /You said: are you there\?\n\nhello again$/);
  });
});
