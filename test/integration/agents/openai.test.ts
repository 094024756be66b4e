import { describe, it, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createOpenaiAgent, openaiAgentSchema, type OpenaiAgentConfig } from "../../../src/agents/openai/index.ts";
import type { Agent, TranscriptEntry } from "../../../src/core/agent.ts";
import { estimateTokens } from "../../../src/core/context-budget.ts";
import { AgentError, ConfigError } from "../../../src/core/errors.ts";
import { replies } from "../../../src/core/turn.ts";
import { startOpenAiFake, type OpenAiFake } from "../../emulators/openai/server.ts";
import { collectEvents, turnInput } from "../../helpers/turn-input.ts";
import { adminHeaders, getJson, parseSse, postJson, startGateway, type TestGateway } from "../../helpers/gateway.ts";
import { closedPort } from "../../helpers/net.ts";

function openai(fake: OpenAiFake, config: Partial<OpenaiAgentConfig> = {}, known: string[] = []): Agent {
  return createOpenaiAgent("assistant", { kind: "openai", baseUrl: fake.url, model: "gpt-fake", ...config }, { baseDir: ".", agents: () => ["assistant", ...known] });
}

async function postSse(url: string, body: unknown): Promise<Array<{ event: string; data: any }>> {
  const response = await fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  return parseSse(await response.text());
}

async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}/v1`;
}

const roles = (messages: any[]) => messages.map((m) => `${m.role}:${m.content}`);

describe("openai agent, run directly against the fake", () => {
  let fake: OpenAiFake;
  before(async () => (fake = await startOpenAiFake({ apiKey: "sk-test-key-0123456789" })));
  after(() => fake.close());
  beforeEach(() => (fake.requests.length = 0));
  const key = { apiKey: "sk-test-key-0123456789" };

  it("streams each content delta in order and ends with the whole reply", async () => {
    fake.enqueue({ kind: "text", text: ["Hel", "lo, ", "world"] });
    const events = await collectEvents(openai(fake, { ...key, system: "Be brief." }).run(turnInput("hi")));
    assert.deepEqual(events, [
      { type: "text.delta", text: "Hel" },
      { type: "text.delta", text: "lo, " },
      { type: "text.delta", text: "world" },
      { type: "message", text: "Hello, world" },
    ]);
    const [request] = fake.completions;
    assert.equal(request!.headers.authorization, "Bearer sk-test-key-0123456789");
    assert.equal(request!.body.stream, true);
    assert.equal(request!.body.model, "gpt-fake");
    assert.deepEqual(roles(request!.body.messages), ["system:Be brief.", "user:hi"]);
  });

  it("sends as much history as fits the budget: system first, oldest turns dropped, new message last", async () => {
    const transcript: TranscriptEntry[] = [];
    for (let i = 1; i <= 10; i++) {
      transcript.push({ role: "user", text: `question ${i} `.padEnd(400, "?"), at: i });
      transcript.push({ role: "assistant", text: `answer ${i} `.padEnd(400, "!"), at: i });
    }
    fake.enqueue({ kind: "text", text: "ok" });
    await collectEvents(openai(fake, { ...key, system: "You are terse.", contextBudget: 1000 }).run(turnInput("the newest question", { transcript })));
    const sent: any[] = fake.completions[0]!.body.messages;
    assert.equal(sent[0].role, "system");
    assert.deepEqual(sent.at(-1), { role: "user", content: "the newest question" });
    const history = sent.slice(1, -1);
    assert.ok(history.length > 0 && history.length < transcript.length, `sent ${history.length} of ${transcript.length} entries`);
    assert.equal(history[0].role, "user", "history never starts with an assistant message");
    assert.deepEqual(roles(history), roles(transcript.slice(-history.length).map((e) => ({ role: e.role, content: e.text }))));
    // 104 tokens per entry, 17 reserved: 9 entries fit, and the first of those (answer 6) is dropped with its question.
    assert.match(history[0].content, /^question 7 /);
    assert.equal(history.length, 8);
    const tokens = sent.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    assert.ok(tokens <= 1000, `${tokens} tokens sent for a budget of 1000`);
  });

  it("uses the model named by the turn's settings over its own, and fails clearly with none", async () => {
    fake.enqueue({ kind: "text", text: "ok" });
    await collectEvents(openai(fake, key).run(turnInput("hi", { settings: { model: "llama3.2" } })));
    assert.equal(fake.completions[0]!.body.model, "llama3.2");
    await assert.rejects(collectEvents(openai(fake, { ...key, model: undefined }).run(turnInput("hi"))), (e: Error) => e instanceof AgentError && /model is not set/.test(e.message));
  });

  it("sends temperature, max_tokens and the configured extra headers; without apiKey no Authorization", async () => {
    const open = await startOpenAiFake();
    try {
      open.enqueue({ kind: "text", text: "ok" });
      await collectEvents(openai(open, { temperature: 0.2, maxTokens: 50, headers: { "HTTP-Referer": "https://example.test", "X-Title": "Switchboard" } }).run(turnInput("hi")));
      const [request] = open.completions;
      assert.equal(request!.body.temperature, 0.2);
      assert.equal(request!.body.max_tokens, 50);
      assert.equal(request!.headers["http-referer"], "https://example.test");
      assert.equal(request!.headers["x-title"], "Switchboard");
      assert.equal(request!.headers.authorization, undefined);
    } finally {
      await open.close();
    }
  });

  it("assembles split tool-call deltas, delegates, reports tool.start/tool.end, and answers with the last round", async () => {
    fake.enqueue({ kind: "tool_calls", calls: [{ id: "call_1", name: "delegate_to_helper", arguments: { task: "say hi", label: "greeter" } }], text: "Asking helper. " }, { kind: "text", text: "Helper says: hi there" });
    const input = turnInput("greet me", { delegate: () => ({ status: "done", reply: "hi there", sessionId: "sub-1" }) });
    const events = await collectEvents(openai(fake, { ...key, delegates: ["helper"] }, ["helper"]).run(input));
    assert.deepEqual(input.delegations, [{ agent: "helper", text: "say hi", expose: undefined, label: "greeter" }]);
    assert.deepEqual(
      events.filter((e) => e.type.startsWith("tool.")),
      [
        { type: "tool.start", id: "call_1", name: "delegate_to_helper", input: { task: "say hi", label: "greeter" } },
        { type: "tool.end", id: "call_1", name: "delegate_to_helper", output: "hi there", isError: false },
      ],
    );
    assert.deepEqual(events.at(-1), { type: "message", text: "Helper says: hi there" });
    const [first, second] = fake.completions;
    const tool = first!.body.tools[0];
    assert.equal(tool.function.name, "delegate_to_helper");
    assert.equal(tool.function.description, "Ask the helper agent to do a task; it runs in its own sub-session");
    assert.deepEqual(tool.function.parameters.required, ["task"]);
    const [assistant, result] = second!.body.messages.slice(-2);
    assert.deepEqual(assistant.tool_calls, [{ id: "call_1", type: "function", function: { name: "delegate_to_helper", arguments: '{"task":"say hi","label":"greeter"}' } }]);
    assert.deepEqual(result, { role: "tool", tool_call_id: "call_1", content: "hi there" });
  });

  it("answers unknown tools, bad JSON and bad arguments with errors the model reads, without crashing", async () => {
    fake.enqueue(
      {
        kind: "tool_calls",
        calls: [
          { id: "c1", name: "run_shell", arguments: { cmd: "rm -rf /" } },
          { id: "c2", name: "delegate_to_helper", arguments: '{"task": "unterminated' },
          { id: "c3", name: "delegate_to_helper", arguments: { label: "no task" } },
        ],
      },
      { kind: "text", text: "I could not do that." },
    );
    const input = turnInput("do things");
    const events = await collectEvents(openai(fake, { ...key, delegates: ["helper"] }, ["helper"]).run(input));
    const ends = events.filter((e) => e.type === "tool.end");
    assert.deepEqual(ends.map((e) => e.isError), [true, true, true]);
    assert.equal(input.delegations.length, 0);
    const results = fake.completions[1]!.body.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
    assert.match(results[0], /no tool named "run_shell".*delegate_to_helper/);
    assert.match(results[1], /not valid JSON/);
    assert.match(results[2], /task/);
    assert.deepEqual(events.at(-1), { type: "message", text: "I could not do that." });
  });

  it("a failed delegation is an error result carrying the sub-agent's reply", async () => {
    fake.enqueue({ kind: "tool_calls", calls: [{ id: "c1", name: "delegate_to_helper", arguments: { task: "x" } }] }, { kind: "text", text: "It failed." });
    const input = turnInput("go", { delegate: () => ({ status: "failed", reply: "Sorry, the agent could not answer this message.", sessionId: "s" }) });
    const events = await collectEvents(openai(fake, { ...key, delegates: ["helper"] }, ["helper"]).run(input));
    assert.deepEqual(events.find((e) => e.type === "tool.end"), { type: "tool.end", id: "c1", name: "delegate_to_helper", output: "Sorry, the agent could not answer this message.", isError: true });
    assert.match(fake.completions[1]!.body.messages.at(-1).content, /status "failed"/);
  });

  it("after maxToolRounds the model must answer in words; if it still calls tools, the turn fails", async () => {
    const call = { kind: "tool_calls" as const, calls: [{ name: "delegate_to_helper", arguments: { task: "again" } }] };
    const agent = openai(fake, { ...key, delegates: ["helper"], maxToolRounds: 1 }, ["helper"]);
    const done = () => ({ status: "done" as const, reply: "ok", sessionId: "s" });
    fake.enqueue(call, { kind: "text", text: "final" });
    const events = await collectEvents(agent.run(turnInput("go", { delegate: done })));
    assert.deepEqual(events.at(-1), { type: "message", text: "final" });
    assert.equal(fake.completions[0]!.body.tool_choice, undefined);
    assert.equal(fake.completions[1]!.body.tool_choice, "none");
    fake.enqueue(call, call);
    await assert.rejects(collectEvents(agent.run(turnInput("go", { delegate: done }))), /maxToolRounds/);
  });

  it("the config entry takes numbers from ${VAR} strings and names mistakes by field", () => {
    const parsed = openaiAgentSchema.parse({ kind: "openai", baseUrl: "http://localhost:11434/v1", model: "llama3.2", temperature: "0.5", contextBudget: "4000", busy: "queue", turnTimeout: "2m" });
    assert.equal(parsed.temperature, 0.5);
    assert.equal(parsed.contextBudget, 4000);
    const bad = openaiAgentSchema.safeParse({ kind: "openai", baseUrl: "ftp://example.test", modle: "gpt-4o" });
    assert.deepEqual(bad.error?.issues.map((i) => i.path.join(".") || i.message).sort(), ["Unrecognized key: \"modle\"", "baseUrl"]);
  });

  it("a delegate that is not a configured agent is a config error at creation", () => {
    assert.throws(() => openai(fake, { delegates: ["helper", "nobody"] }, ["helper"]), (e: Error) => e instanceof ConfigError && /agents\.assistant\.delegates\.1: unknown agent "nobody"/.test(e.message));
  });

  it("HTTP errors become AgentErrors that name the status and never the key", async () => {
    await assert.rejects(collectEvents(openai(fake, { apiKey: "sk-wrong-key-abcdef" }).run(turnInput("hi"))), (e: Error) => {
      assert.ok(e instanceof AgentError);
      assert.match(e.message, /HTTP 401.*invalid_api_key/);
      assert.doesNotMatch(e.message, /sk-wrong-key-abcdef/);
      return true;
    });
    fake.enqueue({ kind: "error", status: 400, message: "proxy rejected key sk-test-key-0123456789" });
    await assert.rejects(collectEvents(openai(fake, key).run(turnInput("hi"))), (e: Error) => !e.message.includes("sk-test-key-0123456789") && /••••/.test(e.message));
  });

  it("a 429 with Retry-After is retried and the reply still arrives", async () => {
    fake.enqueue({ kind: "error", status: 429, retryAfter: "0" }, { kind: "text", text: "after the wait" });
    const events = await collectEvents(openai(fake, key).run(turnInput("hi")));
    assert.deepEqual(events.at(-1), { type: "message", text: "after the wait" });
    assert.equal(fake.completions.length, 2);
  });

  it("malformed, cut and failing streams are AgentErrors", async () => {
    const agent = openai(fake, { ...key, maxRetries: 0 });
    fake.enqueue({ kind: "malformed", how: "json", text: ["partial"] });
    await assert.rejects(collectEvents(agent.run(turnInput("a"))), (e: Error) => e instanceof AgentError && /malformed stream.*not valid JSON/.test(e.message));
    fake.enqueue({ kind: "malformed", how: "truncated", text: ["partial"] });
    await assert.rejects(collectEvents(agent.run(turnInput("b"))), (e: Error) => e instanceof AgentError && /before a finish_reason/.test(e.message));
    fake.enqueue({ kind: "stream_error", message: "model overloaded", text: ["par"] });
    await assert.rejects(collectEvents(agent.run(turnInput("c"))), (e: Error) => e instanceof AgentError && /in its stream.*model overloaded/.test(e.message));
    fake.enqueue({ kind: "text", text: [] });
    await assert.rejects(collectEvents(agent.run(turnInput("d"))), /no text/);
  });

  it("aborting the turn abandons a hung request promptly", async () => {
    fake.enqueue({ kind: "hang", text: ["thinking"] });
    const controller = new AbortController();
    setTimeout(() => controller.abort("timeout"), 200);
    const started = Date.now();
    const events = await collectEvents(openai(fake, key).run(turnInput("hi", { signal: controller.signal })));
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(events, [{ type: "text.delta", text: "thinking" }]);
  });
});

describe("openai agent in a gateway", () => {
  let fake: OpenAiFake;
  let t: TestGateway;
  before(async () => {
    fake = await startOpenAiFake({ apiKey: "sk-gateway-key-0123" });
    const offline = await closedPortUrl();
    t = await startGateway({ defaultAgent: "coordinator", lanes: { turnTimeout: "500ms" }, agents: { helper: { kind: "echo", prefix: "echo: " } } }, (gw) => {
      const known = () => ["coordinator", "offline", "helper"];
      const base = { kind: "openai" as const, model: "gpt-fake", apiKey: "sk-gateway-key-0123", maxRetries: 0 };
      gw.addAgent(createOpenaiAgent("coordinator", { ...base, baseUrl: fake.url, system: "Be brief.", contextBudget: 250, delegates: ["helper"] }, { baseDir: ".", agents: known }));
      gw.addAgent(createOpenaiAgent("offline", { ...base, baseUrl: offline }, { baseDir: ".", agents: known }));
    });
  });
  after(async () => {
    await t.stop();
    await fake.close();
  });
  beforeEach(() => (fake.requests.length = 0));

  it("streams the model's deltas to an SSE client in order", async () => {
    fake.enqueue({ kind: "text", text: ["One", ", two", ", three."], delayMs: 20 });
    const frames = await postSse(t.url, { user: "sse", text: "count" });
    assert.deepEqual(frames.filter((f) => f.event === "text.delta").map((f) => f.data.text), ["One", ", two", ", three."]);
    assert.equal(frames.at(-1)!.event, "done");
    assert.equal(frames.at(-1)!.data.reply, "One, two, three.");
  });

  it("sends earlier turns of the session, dropping the oldest beyond the budget", async () => {
    const say = (s: string) => s.padEnd(200, ".");
    fake.enqueue({ kind: "text", text: say("reply A") }, { kind: "text", text: say("reply B") }, { kind: "text", text: say("reply C") });
    for (const text of ["question A", "question B", "question C"]) {
      const res = await postJson(`${t.url}/v1/messages`, { user: "memory", text: say(text) });
      assert.equal(res.body.status, "done");
    }
    const sent = fake.completions.map((r) => r.body.messages.map((m: any) => `${m.role}:${m.content.slice(0, 10)}`));
    assert.deepEqual(sent[1], ["system:Be brief.", "user:question A", "assistant:reply A...", "user:question B"]);
    // Three exchanges no longer fit 250 tokens: the first one is dropped, system prompt kept.
    assert.deepEqual(sent[2], ["system:Be brief.", "user:question B", "assistant:reply B...", "user:question C"]);
  });

  it("a coordinator delegates to the echo helper in a sub-session and answers with its result", async () => {
    fake.enqueue({ kind: "tool_calls", calls: [{ name: "delegate_to_helper", arguments: { task: "say hi" } }] }, { kind: "text", text: "The helper said hi." });
    const frames = await postSse(t.url, { user: "boss", text: "get the helper to greet" });
    const tools = frames.filter((f) => f.event.startsWith("tool."));
    assert.deepEqual(tools.map((f) => [f.event, f.data.name]), [["tool.start", "delegate_to_helper"], ["tool.end", "delegate_to_helper"]]);
    assert.deepEqual(tools[0]!.data.input, { task: "say hi" });
    assert.equal(tools[1]!.data.output, "echo: say hi");
    assert.equal(tools[1]!.data.isError, false);
    const done = frames.at(-1)!;
    assert.equal(done.data.reply, "The helper said hi.");

    const toolMessage = fake.completions[1]!.body.messages.at(-1);
    assert.equal(toolMessage.role, "tool");
    assert.equal(toolMessage.content, "echo: say hi");

    const parent = await getJson(`${t.url}/v1/sessions/${done.data.session}`, adminHeaders);
    assert.deepEqual(parent.body.transcript.map((e: any) => `${e.role}:${e.text}`), ["user:get the helper to greet", "assistant:The helper said hi."]);
    const subs = await getJson(`${t.url}/v1/sessions?agent=helper`, adminHeaders);
    assert.equal(subs.body.sessions.length, 1);
    const sub = await getJson(`${t.url}/v1/sessions/${subs.body.sessions[0].id}`, adminHeaders);
    assert.deepEqual(sub.body.transcript.map((e: any) => `${e.role}:${e.text}`), ["user:say hi", "assistant:echo: say hi"]);
  });

  it("an error answer (500, 401) gets the apology, and the session answers the next message", async () => {
    for (const [status, user] of [[500, "e500"], [401, "e401"]] as const) {
      fake.enqueue({ kind: "error", status });
      const failed = await postJson(`${t.url}/v1/messages`, { user, text: "hello" });
      assert.equal(failed.body.status, "failed");
      assert.equal(failed.body.reply, replies.failed);
      fake.enqueue({ kind: "text", text: "back to normal" });
      const next = await postJson(`${t.url}/v1/messages`, { user, text: "again" });
      assert.equal(next.body.reply, "back to normal");
      assert.equal(next.body.session, failed.body.session);
    }
  });

  it("a malformed stream gets the apology, and the session answers the next message", async () => {
    fake.enqueue({ kind: "malformed", how: "json", text: ["half"] });
    const frames = await postSse(t.url, { user: "malformed", text: "hello" });
    assert.ok(frames.some((f) => f.event === "error" && f.data.message === replies.failed));
    assert.equal(frames.at(-1)!.data.reply, replies.failed);
    const next = await postJson(`${t.url}/v1/messages`, { user: "malformed", text: "again" });
    assert.equal(next.body.reply, "You said: again");
  });

  it("an unreachable endpoint gets the apology, and the gateway keeps answering", async () => {
    const failed = await postJson(`${t.url}/v1/messages`, { user: "offline", text: "hello", agent: "offline" });
    assert.equal(failed.body.agent, "offline");
    assert.equal(failed.body.reply, replies.failed);
    const other = await postJson(`${t.url}/v1/messages`, { user: "online", text: "still there?" });
    assert.equal(other.body.reply, "You said: still there?");
  });

  it("a hung endpoint is cut by the turn timeout, and the next message works", async () => {
    fake.enqueue({ kind: "hang", text: ["I am thinking"] });
    const started = Date.now();
    const hung = await postJson(`${t.url}/v1/messages`, { user: "hang", text: "hello" });
    assert.equal(hung.body.reply, replies.timeout(500));
    assert.ok(Date.now() - started < 5000);
    fake.enqueue({ kind: "hang" });
    const silent = await postJson(`${t.url}/v1/messages`, { user: "hang", text: "hello?" });
    assert.equal(silent.body.reply, replies.timeout(500));
    fake.enqueue({ kind: "text", text: "awake now" });
    const next = await postJson(`${t.url}/v1/messages`, { user: "hang", text: "and now?" });
    assert.equal(next.body.reply, "awake now");
  });
});
