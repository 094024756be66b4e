import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rmSync } from "node:fs";
import type { TranscriptEntry } from "../../../src/core/agent.ts";
import { AgentError } from "../../../src/core/errors.ts";
import { estimateTokens } from "../../../src/core/context-budget.ts";
import { createHttpAgent, httpAgentSchema, type HttpAgentConfig } from "../../../src/agents/http/index.ts";
import { frame, startHttpAgentEmulator, type HttpAgentEmulator } from "../../emulators/http-agent/server.ts";
import { postJson, startGateway, tempDir, type TestGateway } from "../../helpers/gateway.ts";
import { collectEvents as collect, turnInput } from "../../helpers/turn-input.ts";
import { closedPort } from "../../helpers/net.ts";

const apology = "Sorry, the agent could not answer this message.";
const token = "s3cret-agent-token-123";

function agentFor(url: string, config: Partial<HttpAgentConfig> = {}) {
  return createHttpAgent("svc", httpAgentSchema.parse({ kind: "http", url, headers: { authorization: `Bearer ${token}` }, ...config }));
}


describe("http agent, direct", () => {
  let emu: HttpAgentEmulator;
  before(async () => {
    emu = await startHttpAgentEmulator({ token });
  });
  after(() => emu.close());

  it("a JSON reply becomes the final message, and its state is saved", async () => {
    const input = turnInput("hello", { state: { count: 4 } });
    const events = await collect(agentFor(emu.url, { stream: false }).run(input));
    assert.deepEqual(events, [{ type: "message", text: "echo #5: hello" }]);
    assert.deepEqual(input.saved.state, { count: 5 });
    assert.equal(emu.requests.at(-1)!.headers.accept, "application/json");
  });

  it("an SSE reply streams deltas, then the message; the state frame is saved", async () => {
    const input = turnInput("stream these words");
    const events = await collect(agentFor(emu.url).run(input));
    const deltas = events.filter((e) => e.type === "text.delta").map((e) => e.text);
    assert.ok(deltas.length >= 4, `expected several deltas, got ${deltas.length}`);
    assert.equal(deltas.join(""), "echo #1: stream these words");
    assert.deepEqual(events.at(-1), { type: "message", text: "echo #1: stream these words" });
    assert.deepEqual(input.saved.state, { count: 1 });
  });

  it("sends the turn as JSON, with Idempotency-Key equal to the turn id and the configured headers", async () => {
    const input = turnInput("who am I", { turnId: "0b5e7c2a-msg.3", sessionId: "sess-1", agentId: "svc", channel: "api", user: { id: "ana" }, state: { count: 7 } });
    await collect(agentFor(emu.url).run(input));
    const { headers, body } = emu.requests.at(-1)!;
    assert.equal(headers["idempotency-key"], input.turnId);
    assert.equal(headers["content-type"], "application/json");
    assert.equal(headers.authorization, `Bearer ${token}`);
    assert.equal(headers.accept, "text/event-stream, application/json");
    assert.equal(headers["idempotency-key"], "0b5e7c2a-msg.3");
    assert.deepEqual(body, {
      session: "sess-1",
      turn: "0b5e7c2a-msg.3",
      user: { id: "ana" },
      channel: "api",
      agent: "svc",
      text: "who am I",
      messages: [{ id: "message-1", text: "who am I", sender: { id: "tester" } }],
      transcript: [],
      state: { count: 7 },
    });
  });

  it("the transcript sent is trimmed to the context budget, newest kept", async () => {
    const transcript: TranscriptEntry[] = [];
    for (let i = 0; i < 40; i++) transcript.push({ role: i % 2 === 0 ? "user" : "assistant", text: `${i} ${"x".repeat(396)}`, at: i });
    await collect(agentFor(emu.url, { contextBudget: 1000 }).run(turnInput("next", { transcript })));
    const sent = emu.requests.at(-1)!.body.transcript;
    assert.ok(sent.length > 0 && sent.length < 10, `sent ${sent.length} of 40 entries`);
    assert.equal(sent[0]!.role, "user");
    assert.deepEqual(sent.at(-1), { role: "assistant", text: transcript[39]!.text, at: 39 });
    assert.ok(sent.reduce((sum, e) => sum + estimateTokens(e.text), estimateTokens("next")) <= 1000);

    await collect(agentFor(emu.url, { transcript: false }).run(turnInput("next", { transcript })));
    assert.deepEqual(emu.requests.at(-1)!.body.transcript, []);
  });

  it("accepts { text } and { events } replies; a service's subagent.exposed is dropped", async () => {
    emu.script(
      { kind: "raw", contentType: "application/json", body: JSON.stringify({ text: "plain text" }) },
      {
        kind: "raw",
        contentType: "application/json; charset=utf-8",
        body: JSON.stringify({
          events: [
            { type: "tool.start", id: "t1", name: "search", input: { q: "x" } },
            { type: "subagent.exposed", subagentId: "s", agentId: "a", sessionId: "x" },
            { type: "tool.end", id: "t1", name: "search", output: "found" },
            { type: "message", text: "done searching" },
          ],
          state: { step: 2 },
        }),
      },
    );
    assert.deepEqual(await collect(agentFor(emu.url).run(turnInput("a"))), [{ type: "message", text: "plain text" }]);
    const input = turnInput("b");
    assert.deepEqual(await collect(agentFor(emu.url).run(input)), [
      { type: "tool.start", id: "t1", name: "search", input: { q: "x" } },
      { type: "tool.end", id: "t1", name: "search", output: "found", isError: undefined },
      { type: "message", text: "done searching" },
    ]);
    assert.deepEqual(input.saved.state, { step: 2 });
  });

  it("a stream without a final message ends with one made of its deltas", async () => {
    emu.script({ kind: "sse", frames: [frame({ type: "text.delta", text: "half " }), `data: {"type":"text.delta","text":"way"}\n\n`] });
    const events = await collect(agentFor(emu.url).run(turnInput("x")));
    assert.deepEqual(events.at(-1), { type: "message", text: "half way" });
  });

  it("a 500 with a JSON error fails with the status and the service's error, truncated, never the headers", async () => {
    emu.script({ kind: "error", status: 500, error: `database is down ${"!".repeat(500)}` });
    const error = await collect(agentFor(emu.url).run(turnInput("x"))).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof AgentError);
    assert.match(error.message, /^the agent service answered 500 Internal Server Error: database is down !+…$/);
    assert.ok(error.message.length < 300);
    assert.ok(!error.message.includes(token));
  });

  it("a redirect is not followed, so the configured headers go nowhere else", async () => {
    const elsewhere = await startHttpAgentEmulator();
    try {
      emu.script({ kind: "raw", status: 307, contentType: "text/plain", body: "", headers: { location: elsewhere.url } });
      await assert.rejects(collect(agentFor(emu.url).run(turnInput("x"))), /answered 307 Temporary Redirect: redirects are not followed/);
      assert.equal(elsewhere.requests.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  it("a malformed frame fails the turn as an invalid event", async () => {
    emu.script({ kind: "sse", frames: [frame({ type: "text.delta", text: "ok " }), "data: {not json\n\n"] });
    await assert.rejects(collect(agentFor(emu.url).run(turnInput("x"))), (e) => e instanceof AgentError && e.message === "the agent service sent an invalid event");
    emu.script({ kind: "sse", frames: [frame({ type: "text.delta", txt: "wrong field" })] });
    await assert.rejects(collect(agentFor(emu.url).run(turnInput("x"))), /the agent service sent an invalid event/);
  });

  it("an unreachable service fails with the reason and the origin only", async () => {
    const port = await closedPort();
    await assert.rejects(collect(agentFor(`http://127.0.0.1:${port}/hook?key=abc`).run(turnInput("x"))), (e) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.message, `the agent service at http://127.0.0.1:${port} failed: ECONNREFUSED`);
      return true;
    });
  });

  it("a silent service is cut by `timeout`, before headers and mid-stream", async () => {
    emu.script({ kind: "hang" }, { kind: "hang", afterFirstDelta: true });
    const agent = agentFor(emu.url, { timeout: "200ms" });
    await assert.rejects(collect(agent.run(turnInput("x"))), /sent nothing for 0.2 s \(timeout\)/);
    await assert.rejects(collect(agent.run(turnInput("x"))), /sent nothing for 0.2 s \(timeout\)/);
  });

  it("aborting the turn's signal stops the request promptly", async () => {
    emu.script({ kind: "hang", afterFirstDelta: true });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort("interrupt"), 100);
    const events = await collect(agentFor(emu.url).run(turnInput("x", { signal: controller.signal })));
    assert.deepEqual(events, [{ type: "text.delta", text: "thinking " }]);
    assert.ok(Date.now() - started < 1000);
  });

  it("the config schema applies to switchboard.yaml values", () => {
    assert.equal(httpAgentSchema.safeParse({ kind: "http", url: "ftp://x" }).success, false);
    assert.equal(httpAgentSchema.safeParse({ kind: "http", url: "https://x.test", timeout: "soon" }).success, false);
    assert.equal(httpAgentSchema.safeParse({ kind: "http", url: "https://x.test", headers: { "bad name": "v" } }).success, false);
    const parsed = httpAgentSchema.parse({ kind: "http", url: "https://x.test", stream: "false", contextBudget: "2000", turnTimeout: "30s" });
    assert.equal(parsed.stream, false);
    assert.equal(parsed.contextBudget, 2000);
  });
});

describe("http agent through the gateway", () => {
  let emu: HttpAgentEmulator;
  let t: TestGateway;
  const send = (user: string, text: string) => postJson(`${t.url}/v1/messages`, { user, text });

  before(async () => {
    emu = await startHttpAgentEmulator({ token, delayMs: 40 });
    t = await startGateway({ defaultAgent: "svc", agents: {}, lanes: { turnTimeout: "500ms" } }, (gw) => gw.addAgent(agentFor(emu.url)));
  });
  after(async () => {
    await t.stop();
    await emu.close();
  });

  it("answers with the service's reply; the state counts turns across messages", async () => {
    const first = await send("ana", "hello");
    assert.equal(first.body.status, "done");
    assert.equal(first.body.reply, "echo #1: hello");
    const second = await send("ana", "again");
    assert.equal(second.body.reply, "echo #2: again");
    assert.equal(second.body.session, first.body.session);
    assert.deepEqual(emu.requests.at(-1)!.body.transcript.map((e: { text: string }) => e.text), ["hello", "echo #1: hello"]);
  });

  it("streams to an SSE client token by token, as the service sends them", async () => {
    const response = await fetch(`${t.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "sse", text: "one two three four" }),
    });
    const arrivals: Array<{ at: number; text: string }> = [];
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += decoder.decode(read.value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (raw.startsWith("event: text.delta")) arrivals.push({ at: Date.now(), text: JSON.parse(raw.split("data: ")[1]!).text });
      }
    }
    assert.equal(arrivals.map((a) => a.text).join(""), "echo #1: one two three four");
    assert.ok(arrivals.length >= 6, `expected a delta per word, got ${arrivals.length}`);
    // The service pauses 40 ms between words: buffered delivery would bunch them together.
    assert.ok(arrivals.at(-1)!.at - arrivals[0]!.at >= 150, "the deltas arrived all at once");
  });

  it("a 500 from the service is an apology, and the session's next message works", async () => {
    emu.script({ kind: "error", status: 500, error: "database is down" });
    const failed = await send("bo", "first");
    assert.equal(failed.body.status, "failed");
    assert.equal(failed.body.reply, apology);
    const next = await send("bo", "second");
    assert.equal(next.body.reply, "echo #1: second");
    assert.equal(next.body.session, failed.body.session);
  });

  it("a malformed SSE frame is an apology, and the next message works", async () => {
    emu.script({ kind: "sse", frames: [frame({ type: "text.delta", text: "partial " }), "event: text.delta\ndata: {\"text\":\n\n"] });
    const failed = await send("cy", "first");
    assert.equal(failed.body.reply, apology);
    const next = await send("cy", "second");
    assert.equal(next.body.reply, "echo #1: second");
    assert.equal(next.body.session, failed.body.session);
  });

  it("a hung service is cut by the turn timeout, and the next message works", async () => {
    emu.script({ kind: "hang" });
    const hung = await send("di", "first");
    assert.equal(hung.body.status, "failed");
    assert.match(hung.body.reply, /took longer than/);
    const next = await send("di", "second");
    assert.equal(next.body.reply, "echo #1: second");
    assert.equal(next.body.session, hung.body.session);
  });
});

describe("http agent through the gateway, service down, then up", () => {
  it("an unreachable service is an apology; once it is up, the same session answers", async () => {
    const port = await closedPort();
    const t = await startGateway({ defaultAgent: "svc", agents: {} }, (gw) => gw.addAgent(agentFor(`http://127.0.0.1:${port}/agent`)));
    let emu: HttpAgentEmulator | undefined;
    try {
      const failed = await postJson(`${t.url}/v1/messages`, { user: "ed", text: "anyone?" });
      assert.equal(failed.body.status, "failed");
      assert.equal(failed.body.reply, apology);
      emu = await startHttpAgentEmulator({ token, port });
      const next = await postJson(`${t.url}/v1/messages`, { user: "ed", text: "now?" });
      assert.equal(next.body.reply, "echo #1: now?");
      assert.equal(next.body.session, failed.body.session);
    } finally {
      await t.stop();
      await emu?.close();
    }
  });
});

describe("http agent state across a gateway restart", () => {
  it("the counter continues on the same sqlite file", async () => {
    const emu = await startHttpAgentEmulator({ token });
    const dir = tempDir();
    const config = { store: `sqlite:${join(dir, "gw.db")}`, defaultAgent: "svc", agents: {} };
    const start = () => startGateway(config, (gw) => gw.addAgent(agentFor(emu.url)));
    try {
      const first = await start();
      try {
        assert.equal((await postJson(`${first.url}/v1/messages`, { user: "flo", text: "a" })).body.reply, "echo #1: a");
        assert.equal((await postJson(`${first.url}/v1/messages`, { user: "flo", text: "b" })).body.reply, "echo #2: b");
      } finally {
        await first.stop();
      }
      const second = await start();
      try {
        const after = await postJson(`${second.url}/v1/messages`, { user: "flo", text: "c" });
        assert.equal(after.body.reply, "echo #3: c");
        assert.deepEqual(emu.requests.at(-1)!.body.state, { count: 2 });
      } finally {
        await second.stop();
      }
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
