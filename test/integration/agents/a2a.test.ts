import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { createA2aAgent, a2aAgentSchema } from "../../../src/agents/a2a/index.ts";
import type { AgentEvent } from "../../../src/core/agent.ts";
import { AgentError } from "../../../src/core/errors.ts";
import { A2aReply } from "../../../src/agents/a2a/stream.ts";
import { Role, TaskState, type Part, type StreamResponse } from "@a2a-js/sdk";
import { createGateway } from "../../../src/switchboard.ts";
import { createLogger } from "../../../src/core/log.ts";
import { startA2aEmulator, type A2aEmulator } from "../../emulators/a2a/server.ts";
import { turnInput, collectEvents } from "../../helpers/turn-input.ts";
import { startGateway, postJson, parseSse, tempDir, waitFor, type TestGateway } from "../../helpers/gateway.ts";
import { closedPort } from "../../helpers/net.ts";

const apology = "Sorry, the agent could not answer this message.";

function deltas(events: AgentEvent[]): string[] {
  return events.flatMap((e) => (e.type === "text.delta" ? [e.text] : []));
}

function finalText(events: AgentEvent[]): string | undefined {
  const last = events.at(-1);
  return last?.type === "message" ? last.text : undefined;
}


const enums = { TaskState, agentRole: Role.ROLE_AGENT };

function part(text: string): Part {
  return { content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "text/plain" };
}

function chunk(artifactId: string, text: string, append: boolean, lastChunk: boolean): StreamResponse {
  const artifact = { artifactId, name: "", description: "", parts: [part(text)], metadata: undefined, extensions: [] };
  return { payload: { $case: "artifactUpdate", value: { taskId: "t1", contextId: "c1", artifact, append, lastChunk, metadata: undefined } } };
}

function status(state: TaskState, text?: string, messageId = "m1"): StreamResponse {
  const message = text === undefined ? undefined : { messageId, contextId: "c1", taskId: "t1", role: Role.ROLE_AGENT, parts: [part(text)], metadata: undefined, extensions: [], referenceTaskIds: [] };
  return { payload: { $case: "statusUpdate", value: { taskId: "t1", contextId: "c1", status: { state, message, timestamp: undefined }, metadata: undefined } } };
}

describe("A2A events become the reply", () => {
  it("chunks with append extend an artifact; a closed artifact sent again without append replaces it", () => {
    const reply = new A2aReply(enums);
    assert.deepEqual(reply.apply(chunk("a", "Hel", false, false)), ["Hel"]);
    assert.deepEqual(reply.apply(chunk("a", "lo", true, true)), ["lo"]);
    assert.equal(reply.text, "Hello");
    reply.apply(chunk("a", "Goodbye", false, true));
    assert.equal(reply.text, "Goodbye");
    assert.equal(reply.done, false);
    reply.apply(status(TaskState.TASK_STATE_COMPLETED));
    assert.equal(reply.done, true);
    assert.equal(reply.contextId, "c1");
  });

  it("status messages and artifacts are separate paragraphs, in order, each shown once", () => {
    const reply = new A2aReply(enums);
    const streamed = [
      ...reply.apply(status(TaskState.TASK_STATE_WORKING, "Looking it up.", "m1")),
      ...reply.apply(status(TaskState.TASK_STATE_WORKING, "Looking it up.", "m1")),
      ...reply.apply(chunk("a", "42", false, true)),
    ];
    assert.deepEqual(streamed, ["Looking it up.", "\n\n42"]);
    assert.equal(reply.text, "Looking it up.\n\n42");
  });

  it("failed, rejected and canceled tasks are AgentErrors; input-required waits for the user", () => {
    assert.throws(() => new A2aReply(enums).apply(status(TaskState.TASK_STATE_FAILED, "disk full")), /failed the task: disk full/);
    assert.throws(() => new A2aReply(enums).apply(status(TaskState.TASK_STATE_REJECTED)), /rejected the task$/);
    assert.throws(() => new A2aReply(enums).apply(status(TaskState.TASK_STATE_CANCELED)), /canceled/);
    const asking = new A2aReply(enums);
    assert.deepEqual(asking.apply(status(TaskState.TASK_STATE_INPUT_REQUIRED, "Which city?")), ["Which city?"]);
    assert.equal(asking.done, true);
    assert.equal(asking.waitingForUser, true);
  });

  it("a stream without an event payload is malformed", () => {
    assert.throws(() => new A2aReply(enums).apply({ payload: undefined }), AgentError);
  });
});

const agentConfig = (url: string, extra: Record<string, unknown> = {}) => a2aAgentSchema.parse({ kind: "a2a", url, ...extra });

describe("a2a agent, run directly", () => {
  let emu: A2aEmulator;
  before(async () => {
    emu = await startA2aEmulator();
  });
  after(() => emu.close());

  it("discovers the card, streams artifact chunks as deltas, and keeps the contextId the agent chose", async () => {
    const agent = createA2aAgent("remote", agentConfig(emu.url));
    const cardsBefore = emu.cardRequests;
    const input = turnInput("hello there");
    const events = await collectEvents(agent.run(input));
    assert.equal(finalText(events), "echo: hello there (you said 1 thing)");
    assert.ok(deltas(events).length >= 4, `expected chunked deltas, got ${deltas(events).length}`);
    assert.equal(deltas(events).join(""), finalText(events));
    assert.equal(emu.cardRequests, cardsBefore + 1);
    const sent = emu.requests.at(-1)!;
    assert.deepEqual(input.saved.state, { contextId: sent.contextId });
    assert.equal(emu.calls.at(-1)!.stream, true);
    assert.equal(emu.calls.at(-1)!.version, "1.0");

    // The next turn sends the stored contextId: the remote agent continues the same conversation.
    const next = turnInput("and again", { state: input.saved.state });
    assert.equal(finalText(await collectEvents(agent.run(next))), "echo: and again (you said 2 things)");
    assert.equal(emu.requests.at(-1)!.contextId, sent.contextId);
    assert.equal(emu.cardRequests, cardsBefore + 1, "the card is fetched once per agent");
  });

  it("a plain Message reply and a completed status message are replies too", async () => {
    const agent = createA2aAgent("remote", agentConfig(emu.url));
    assert.equal(finalText(await collectEvents(agent.run(turnInput("message hi")))), "message: hi");
    assert.equal(finalText(await collectEvents(agent.run(turnInput("status all good")))), "status: all good");
  });

  it("input-required: the agent's question is the reply, and the answer continues the same task", async () => {
    const agent = createA2aAgent("remote", agentConfig(emu.url));
    const first = turnInput("ask me something");
    assert.equal(finalText(await collectEvents(agent.run(first))), "What is your name?");
    const asked = emu.requests.at(-1)!;
    assert.deepEqual(first.saved.state, { contextId: asked.contextId, taskId: asked.taskId });

    const answer = turnInput("Ada", { state: first.saved.state });
    assert.equal(finalText(await collectEvents(agent.run(answer))), "Nice to meet you, Ada.");
    const answered = emu.requests.at(-1)!;
    assert.equal(answered.continued, true);
    assert.equal(answered.taskId, asked.taskId);
    assert.deepEqual(answer.saved.state, { contextId: asked.contextId }, "the finished task is forgotten");
  });

  it("with streaming off, a blocking SendMessage returns the task's artifact", async () => {
    const agent = createA2aAgent("remote", agentConfig(emu.url, { streaming: false }));
    const events = await collectEvents(agent.run(turnInput("no stream")));
    assert.equal(finalText(events), "echo: no stream (you said 1 thing)");
    assert.equal(emu.calls.at(-1)!.stream, false);
  });

  it("a card without streaming gets blocking calls; a card preferring REST gets REST", async () => {
    const blocking = await startA2aEmulator({ streaming: false, transport: "HTTP+JSON" });
    try {
      const agent = createA2aAgent("remote", agentConfig(blocking.url));
      assert.equal(finalText(await collectEvents(agent.run(turnInput("over rest")))), "echo: over rest (you said 1 thing)");
      assert.equal(blocking.calls.length, 1);
      assert.equal(blocking.calls[0]!.stream, false);
      assert.match(blocking.calls[0]!.path, /^\/a2a\/rest\//);
    } finally {
      await blocking.close();
    }
  });

  it("an agent that still speaks A2A 0.3 is understood, streamed and continued", async () => {
    const old = await startA2aEmulator({ protocol: "0.3" });
    try {
      const agent = createA2aAgent("remote", agentConfig(old.url));
      const first = turnInput("hello old friend");
      const events = await collectEvents(agent.run(first));
      assert.equal(finalText(events), "echo: hello old friend (you said 1 thing)");
      assert.ok(deltas(events).length >= 4);
      const next = turnInput("again", { state: first.saved.state });
      assert.equal(finalText(await collectEvents(agent.run(next))), "echo: again (you said 2 things)");
      assert.deepEqual(old.calls.map((c) => c.version), ["0.3", "0.3"]);
    } finally {
      await old.close();
    }
  });

  it("configured headers go with every call; a rejected token fails without quoting it", async () => {
    const guarded = await startA2aEmulator({ token: "right-token-123" });
    try {
      const good = createA2aAgent("remote", agentConfig(guarded.url, { headers: { Authorization: "Bearer right-token-123" } }));
      assert.equal(finalText(await collectEvents(good.run(turnInput("let me in")))), "echo: let me in (you said 1 thing)");
      assert.equal(guarded.calls.at(-1)!.authorization, "Bearer right-token-123");

      const bad = createA2aAgent("remote", agentConfig(guarded.url, { headers: { Authorization: "Bearer wrong-token-456" } }));
      const error = await collectEvents(bad.run(turnInput("let me in"))).then(
        () => assert.fail("expected an error"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof AgentError);
      assert.match(error.message, /401/);
      assert.doesNotMatch(error.message, /wrong-token|right-token/);
    } finally {
      await guarded.close();
    }
  });

  it("failed and rejected tasks are AgentErrors carrying the agent's reason", async () => {
    const agent = createA2aAgent("remote", agentConfig(emu.url));
    await assert.rejects(collectEvents(agent.run(turnInput("fail now"))), (e: unknown) => e instanceof AgentError && /failed the task: the tool exploded/.test(e.message));
    await assert.rejects(collectEvents(agent.run(turnInput("reject this"))), (e: unknown) => e instanceof AgentError && /rejected the task: I won't do that/.test(e.message));
  });

  it("an unreachable or missing agent card is a clear AgentError", async () => {
    const port = await closedPort();
    const unreachable = createA2aAgent("remote", agentConfig(`http://127.0.0.1:${port}/`));
    await assert.rejects(collectEvents(unreachable.run(turnInput("hi"))), (e: unknown) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.message, `could not fetch the agent card from http://127.0.0.1:${port}/.well-known/agent-card.json: unreachable (ECONNREFUSED)`);
      return true;
    });
    const missing = createA2aAgent("remote", agentConfig(emu.url, { cardUrl: `${emu.url}/cards/missing.json?key=secret-in-query` }));
    await assert.rejects(collectEvents(missing.run(turnInput("hi"))), (e: unknown) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.message, `could not fetch the agent card from ${emu.url}/cards/missing.json: HTTP 404`);
      return true;
    });
  });

  it("an aborted turn stops reading and cancels the remote task", async () => {
    const agent = createA2aAgent("remote", agentConfig(emu.url));
    const controller = new AbortController();
    const run = collectEvents(agent.run(turnInput("hang forever", { signal: controller.signal })));
    const hanging = await waitFor(() => emu.requests.find((r) => r.text === "hang forever"), { what: "the hang request" });
    controller.abort();
    const events = await run;
    assert.equal(finalText(events), undefined);
    await waitFor(() => emu.canceled.includes(hanging.taskId), { what: "the remote task to be canceled" });
  });
});

describe("a2a agent through the gateway", () => {
  let emu: A2aEmulator;
  let t: TestGateway;
  before(async () => {
    emu = await startA2aEmulator();
    t = await startGateway({ defaultAgent: "remote" }, (gw) => gw.addAgent(createA2aAgent("remote", agentConfig(emu.url))));
  });
  after(async () => {
    await t.stop();
    await emu.close();
  });

  const send = (user: string, text: string) => postJson(`${t.url}/v1/messages`, { user, text });

  it("a streamed reply reaches an SSE client, after agent-card discovery", async () => {
    const response = await fetch(`${t.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "sse-user", text: "stream me please" }),
    });
    const frames = parseSse(await response.text());
    const streamed = frames.filter((f) => f.event === "text.delta").map((f) => f.data.text);
    assert.ok(streamed.length >= 4, `expected several deltas, got ${streamed.length}`);
    assert.equal(streamed.join(""), "echo: stream me please (you said 1 thing)");
    assert.equal(frames.at(-1)!.event, "done");
    assert.equal(frames.at(-1)!.data.reply, "echo: stream me please (you said 1 thing)");
    assert.ok(emu.cardRequests >= 1, "the agent card was fetched");
  });

  it("a user's second message continues the same A2A context; another user gets another", async () => {
    assert.equal((await send("alice", "one")).body.reply, "echo: one (you said 1 thing)");
    assert.equal((await send("alice", "two")).body.reply, "echo: two (you said 2 things)");
    assert.equal((await send("bob", "one")).body.reply, "echo: one (you said 1 thing)");
    const [a1, a2, b1] = emu.requests.slice(-3);
    assert.equal(a1!.contextId, a2!.contextId);
    assert.notEqual(a1!.contextId, b1!.contextId);
    assert.equal(emu.seen(a1!.contextId), 2);
  });

  it("a failed task gets the apology; the next message works in the same context", async () => {
    const failed = await send("carol", "fail please");
    assert.equal(failed.body.reply, apology);
    assert.doesNotMatch(JSON.stringify(failed.body), /tool exploded/);
    assert.equal((await send("carol", "still there?")).body.reply, "echo: still there? (you said 2 things)");
  });

  it("an HTTP 500 from the agent gets the apology; the next message works", async () => {
    await send("dave", "first");
    emu.failNext(500);
    assert.equal((await send("dave", "second")).body.reply, apology);
    assert.equal((await send("dave", "third")).body.reply, "echo: third (you said 2 things)");
  });

  it("a malformed stream gets the apology; the next message works", async () => {
    emu.malformNext();
    assert.equal((await send("erin", "broken")).body.reply, apology);
    assert.equal((await send("erin", "fine now")).body.reply, "echo: fine now (you said 1 thing)");
  });
});

describe("a2a agent failures the gateway contains", () => {
  it("a hung agent is cut by the turn timeout, its task canceled, and the next message works", async () => {
    const emu = await startA2aEmulator();
    const t = await startGateway({ defaultAgent: "remote", lanes: { turnTimeout: "500ms" } }, (gw) => gw.addAgent(createA2aAgent("remote", agentConfig(emu.url))));
    try {
      const hung = await postJson(`${t.url}/v1/messages`, { user: "frank", text: "hang on" });
      assert.match(hung.body.reply, /took longer than/);
      const task = emu.requests.find((r) => r.text === "hang on")!;
      await waitFor(() => emu.canceled.includes(task.taskId), { what: "the remote task to be canceled" });
      const next = await postJson(`${t.url}/v1/messages`, { user: "frank", text: "hello?" });
      assert.equal(next.body.reply, "echo: hello? (you said 2 things)");
    } finally {
      await t.stop();
      await emu.close();
    }
  });

  it("an unreachable agent gets the apology, message after message", async () => {
    const port = await closedPort();
    const t = await startGateway({ defaultAgent: "remote" }, (gw) => gw.addAgent(createA2aAgent("remote", agentConfig(`http://127.0.0.1:${port}`))));
    try {
      assert.equal((await postJson(`${t.url}/v1/messages`, { user: "gina", text: "anyone?" })).body.reply, apology);
      assert.equal((await postJson(`${t.url}/v1/messages`, { user: "gina", text: "hello?" })).body.reply, apology);
    } finally {
      await t.stop();
    }
  });

  it("the A2A context survives a gateway restart on the same store", async () => {
    const emu = await startA2aEmulator();
    const dir = tempDir();
    const start = async () => {
      const gw = createGateway({
        config: { store: `sqlite:${join(dir, "restart.db")}`, defaultAgent: "remote", channels: { api: { type: "http" } }, server: { port: 0 } },
        log: createLogger({ level: "error" }),
      });
      gw.addAgent(createA2aAgent("remote", agentConfig(emu.url)));
      await gw.start();
      return gw;
    };
    try {
      const first = await start();
      assert.equal((await postJson(`${first.url}/v1/messages`, { user: "hank", text: "before" })).body.reply, "echo: before (you said 1 thing)");
      await first.stop();

      const second = await start();
      try {
        assert.equal((await postJson(`${second.url}/v1/messages`, { user: "hank", text: "after" })).body.reply, "echo: after (you said 2 things)");
        assert.equal(emu.cardRequests, 2, "the new gateway discovered the card again");
        const [before, after] = emu.requests;
        assert.equal(before!.contextId, after!.contextId);
      } finally {
        await second.stop();
      }
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
