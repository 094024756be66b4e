import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentEvent } from "../../../src/core/agent.ts";
import { AgentError, ConfigError } from "../../../src/core/errors.ts";
import { replies } from "../../../src/core/turn.ts";
import { commandAgentSchema, createCommandAgent, type CommandAgentConfig } from "../../../src/agents/command/index.ts";
import { codexPreset, codexStreamParser } from "../../../src/agents/command/codex.ts";
import { geminiPreset, geminiStreamParser } from "../../../src/agents/command/gemini.ts";
import { opencodePreset, opencodeStreamParser } from "../../../src/agents/command/opencode.ts";
import type { PresetRequest, StreamItem, StreamParser } from "../../../src/agents/command/preset.ts";
import { fakeClaudePath, installFakeClaude, type FakeClaude } from "../../emulators/command/install.ts";
import { collectEvents, turnInput } from "../../helpers/turn-input.ts";
import { parseSse, postJson, startGateway, type TestGateway } from "../../helpers/gateway.ts";

const failure = (run: Promise<unknown>) => run.then(() => assert.fail("expected the turn to fail"), (e: unknown) => e as Error);
const texts = (events: AgentEvent[]) => events.flatMap((e) => (e.type === "text.delta" ? [e.text] : []));
const final = (events: AgentEvent[]) => events.findLast((e) => e.type === "message");

function agentFor(fake: FakeClaude, config: Partial<CommandAgentConfig> = {}, id = "coder") {
  const parsed = commandAgentSchema.parse({ kind: "command", preset: "claude", command: fake.command, env: fake.env, ...config });
  return createCommandAgent(id, parsed, { baseDir: tmpdir(), agents: () => [id] });
}

describe("command agent (claude preset), direct", () => {
  let fake: FakeClaude;
  before(() => (fake = installFakeClaude()));
  after(() => fake.remove());

  it("streams the CLI's text as deltas, ends with its result, and saves its session id", async () => {
    const input = turnInput("count [stream]");
    const events = await collectEvents(agentFor(fake).run(input));
    assert.deepEqual(texts(events), ["one", "\n\ntwo", "\n\nthree"]);
    assert.deepEqual(final(events), { type: "message", text: "three" });
    const call = fake.calls().at(-1)!;
    assert.deepEqual(call.argv, ["-p", "--output-format", "stream-json", "--verbose", "--", "count [stream]"]);
    const sessionId = input.saved.state?.sessionId;
    assert.match(String(sessionId), /^[0-9a-f-]{36}$/);
  });

  it("tool_use and tool_result become tool.start and tool.end", async () => {
    const events = await collectEvents(agentFor(fake).run(turnInput("look [tool]")));
    assert.deepEqual(
      events.filter((e) => e.type.startsWith("tool.")),
      [
        { type: "tool.start", id: "toolu_1", name: "Bash", input: { command: "ls" } },
        { type: "tool.end", id: "toolu_1", name: "Bash", output: "README.md\nsrc", isError: false },
      ],
    );
    assert.deepEqual(final(events), { type: "message", text: "There are two entries." });
  });

  it("the next turn resumes the saved CLI session", async () => {
    const agent = agentFor(fake);
    const first = turnInput("hello");
    await collectEvents(agent.run(first));
    const id = first.saved.state!.sessionId as string;
    const second = turnInput("and again", { state: first.saved.state, transcript: [{ role: "user", text: "hello", at: 1 }] });
    const events = await collectEvents(agent.run(second));
    assert.deepEqual(final(events), { type: "message", text: `turn 2 of session ${id}: and again` });
    assert.deepEqual(fake.calls().at(-1)!.argv.slice(4, 6), ["--resume", id]);
    // Resumed, the CLI has the history: only the new message is sent.
    assert.equal(fake.calls().at(-1)!.prompt, "and again");
  });

  it("a session the CLI no longer knows is started afresh, with the conversation so far", async () => {
    const input = turnInput("what did I say?", {
      state: { sessionId: "00000000-0000-0000-0000-000000000000", preset: "claude" },
      transcript: [
        { role: "user", text: "my name is Ada", at: 1 },
        { role: "assistant", text: "hello Ada", at: 2 },
      ],
    });
    const events = await collectEvents(agentFor(fake).run(input));
    const [failed, fresh] = fake.calls().slice(-2);
    assert.ok(failed!.argv.includes("--resume"));
    assert.ok(!fresh!.argv.includes("--resume"));
    assert.match(fresh!.prompt, /User: my name is Ada\n\nAssistant: hello Ada[\s\S]*what did I say\?$/);
    assert.match((final(events) as { text: string }).text, /^turn 1 of session/);
    assert.notEqual(input.saved.state?.sessionId, "00000000-0000-0000-0000-000000000000");
  });

  it("a session id from another preset is not resumed", async () => {
    await collectEvents(agentFor(fake).run(turnInput("hi", { state: { sessionId: "codex-thread", preset: "codex" } })));
    assert.ok(!fake.calls().at(-1)!.argv.includes("--resume"));
  });

  it("settings win over config for model and permission mode; MCP servers go in a temp file removed after the turn", async () => {
    const mcpServers = { files: { command: "mcp-files", args: ["--root", "/srv"] } };
    const agent = agentFor(fake, { model: "config-model", permissionMode: "default" });
    await collectEvents(agent.run(turnInput("hi", { settings: { model: "settings-model", permissionMode: "plan", mcpServers } })));
    const call = fake.calls().at(-1)!;
    const flag = (name: string) => call.argv[call.argv.indexOf(name) + 1];
    assert.equal(flag("--model"), "settings-model");
    assert.equal(flag("--permission-mode"), "plan");
    assert.deepEqual(call.mcpConfig, { mcpServers });
    assert.equal(existsSync(call.mcpConfigPath!), false, "the MCP config file is deleted after the turn");

    await collectEvents(agent.run(turnInput("hi")));
    const plain = fake.calls().at(-1)!;
    assert.equal(plain.argv[plain.argv.indexOf("--model") + 1], "config-model");
    assert.ok(!plain.argv.includes("--mcp-config"));
  });

  it("a message that looks like a flag stays the prompt", async () => {
    const events = await collectEvents(agentFor(fake).run(turnInput("--dangerously-skip-permissions")));
    assert.match((final(events) as { text: string }).text, /: --dangerously-skip-permissions$/);
    assert.ok(!fake.calls().at(-1)!.argv.slice(0, -2).includes("--dangerously-skip-permissions"));
  });

  it("the CLI gets a minimal environment plus config and settings env, never the gateway's secrets", async () => {
    process.env.SWITCHBOARD_TEST_SLACK_TOKEN = "xoxb-gateway-secret";
    try {
      const agent = agentFor(fake, { env: { ...fake.env, WHO: "config", ONLY_CONFIG: "yes" } });
      await collectEvents(agent.run(turnInput("hi", { settings: { env: { WHO: "settings" } } })));
    } finally {
      delete process.env.SWITCHBOARD_TEST_SLACK_TOKEN;
    }
    const { env } = fake.calls().at(-1)!;
    assert.equal(env.SWITCHBOARD_TEST_SLACK_TOKEN, undefined);
    assert.equal(env.WHO, "settings");
    assert.equal(env.ONLY_CONFIG, "yes");
    assert.equal(env.PATH, process.env.PATH);
    assert.ok(!JSON.stringify(env).includes("xoxb-gateway-secret"));
  });

  it("runs in its cwd, relative to the config's baseDir; a settings cwd wins; a missing one fails clearly", async () => {
    const base = mkdtempSync(join(tmpdir(), "command-cwd-"));
    mkdirSync(join(base, "worktree"));
    mkdirSync(join(base, "other"));
    try {
      const agent = createCommandAgent("coder", { kind: "command", command: fake.command, env: fake.env, cwd: "worktree" }, { baseDir: base, agents: () => [] });
      await collectEvents(agent.run(turnInput("hi")));
      assert.equal(fake.calls().at(-1)!.cwd, join(base, "worktree"));
      await collectEvents(agent.run(turnInput("hi", { settings: { cwd: "other" } })));
      assert.equal(fake.calls().at(-1)!.cwd, join(base, "other"));
      const error = await failure(collectEvents(agent.run(turnInput("hi", { settings: { cwd: "missing" } }))));
      assert.ok(error instanceof AgentError);
      assert.match(error.message, /working directory .*missing.* does not exist/);
      assert.throws(
        () => createCommandAgent("coder", { kind: "command", cwd: "nowhere" }, { baseDir: base, agents: () => [] }),
        (e: unknown) => e instanceof ConfigError && /agents\.coder\.cwd/.test(e.message),
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it("without a command, the preset's executable is looked up on the CLI's PATH", async () => {
    const agent = createCommandAgent("coder", { kind: "command", env: { ...fake.env, PATH: `${fake.binDir}:${process.env.PATH}` } }, { baseDir: tmpdir(), agents: () => [] });
    const events = await collectEvents(agent.run(turnInput("hi")));
    assert.match((final(events) as { text: string }).text, /^turn 1 of session .*: hi$/);
  });

  it("a result with is_error fails the turn; the CLI's own words stay out of the message", async () => {
    const error = await failure(collectEvents(agentFor(fake).run(turnInput("[fail]"))));
    assert.ok(error instanceof AgentError);
    assert.equal(error.message, "the claude CLI reported an error (error_during_execution)");
    assert.match(String((error.cause as Error).message), /SECRET_TOKEN=xyz was rejected/);
  });

  it("a non-zero exit without a result fails with the exit code; stderr is the cause, not the message", async () => {
    const error = await failure(collectEvents(agentFor(fake).run(turnInput("[crash]"))));
    assert.ok(error instanceof AgentError);
    assert.equal(error.message, "the claude CLI exited with code 3");
    assert.match((error.cause as Error).message, /SECRET_TOKEN=xyz could not reach the model/);
  });

  it("a line that isn't JSON fails the turn", async () => {
    const error = await failure(collectEvents(agentFor(fake).run(turnInput("[malformed]"))));
    assert.equal(error.message, "the claude CLI printed a line that is not JSON");
  });

  it("a CLI that isn't installed fails clearly", async () => {
    const error = await failure(collectEvents(agentFor(fake, { command: "/nonexistent/claude" }).run(turnInput("hi"))));
    assert.ok(error instanceof AgentError);
    assert.match(error.message, /the claude CLI was not found: "\/nonexistent\/claude"/);
  });

  it("the agent's timeout stops a hung CLI", async () => {
    const started = Date.now();
    const error = await failure(collectEvents(agentFor(fake, { timeout: "300ms" }).run(turnInput("[hang]"))));
    assert.equal(error.message, "the claude CLI did not finish within 300 ms and was stopped");
    assert.ok(Date.now() - started < 2000);
  });

  it("aborting the turn stops the CLI promptly, without an error", async () => {
    const controller = new AbortController();
    const run = collectEvents(agentFor(fake).run(turnInput("[hang]", { signal: controller.signal })));
    setTimeout(() => controller.abort("interrupt"), 300);
    const started = Date.now();
    const events = await run;
    assert.ok(Date.now() - started < 1500);
    assert.equal(final(events), undefined);
  });

  it("the config schema checks switchboard.yaml values", () => {
    const parsed = commandAgentSchema.parse({ kind: "command", preset: "codex", timeout: "10m", turnTimeout: "30s", busy: "interrupt", isolation: { mode: "strict", userMap: { alice: "alice" } } });
    assert.equal(parsed.preset, "codex");
    assert.equal(commandAgentSchema.safeParse({ kind: "command", preset: "custom" }).success, false);
    assert.equal(commandAgentSchema.safeParse({ kind: "command", timeout: "soon" }).success, false);
    assert.equal(commandAgentSchema.safeParse({ kind: "command", preset: "claude", output: "text" }).success, false);
    assert.equal(commandAgentSchema.safeParse({ kind: "command", shell: true }).success, false);
  });
});

describe("command agent, custom preset", () => {
  const custom = (config: Partial<CommandAgentConfig>) => createCommandAgent("custom", { kind: "command", preset: "custom", command: process.execPath, ...config }, { baseDir: tmpdir(), agents: () => [] });

  it("substitutes {prompt} and {session} into the argv and streams plain text", async () => {
    const agent = custom({ args: ["-e", "console.log(`echo ${process.argv[1]} in ${process.argv[2]}`)", "{prompt}", "--session={session}"] });
    const events = await collectEvents(agent.run(turnInput("hi {session}")));
    assert.deepEqual(final(events), { type: "message", text: "echo hi {session} in --session=session-1" });
    assert.equal(texts(events).join(""), "echo hi {session} in --session=session-1\n");
  });

  it("without {prompt} the prompt goes to stdin", async () => {
    const events = await collectEvents(custom({ args: ["-e", "process.stdin.pipe(process.stdout)"] }).run(turnInput("via stdin")));
    assert.deepEqual(final(events), { type: "message", text: "via stdin" });
  });

  it("a non-zero exit fails the turn", async () => {
    const error = await failure(collectEvents(custom({ args: ["-e", "console.error('boom'); process.exit(4)"] }).run(turnInput("x"))));
    assert.equal(error.message, "the custom CLI exited with code 4");
  });

  it("stream-json output is read like Claude Code's", async () => {
    const fake = installFakeClaude();
    try {
      const agent = custom({ output: "stream-json", env: fake.env, args: ["--no-warnings", fakeClaudePath, "-p", "--output-format", "stream-json", "--verbose", "--", "{prompt}"] });
      const events = await collectEvents(agent.run(turnInput("[tool]")));
      assert.ok(events.some((e) => e.type === "tool.start"));
      assert.deepEqual(final(events), { type: "message", text: "There are two entries." });
    } finally {
      fake.remove();
    }
  });
});

/** Feed recorded stdout lines to a parser; collect everything, the end included. */
function parseAll(parser: StreamParser, lines: unknown[], exitCode = 0): StreamItem[] {
  const items = lines.flatMap((l) => parser.parse(typeof l === "string" ? l : JSON.stringify(l)));
  return [...items, ...parser.end(exitCode)];
}

const request = (over: Partial<PresetRequest> = {}): PresetRequest => ({
  prompt: "-fix it",
  resume: undefined,
  gatewaySessionId: "s",
  model: undefined,
  permissionMode: undefined,
  mcpConfigFile: undefined,
  args: [],
  ...over,
});

describe("codex preset", () => {
  it("builds `codex exec --json [resume <id>] -- <prompt>`", () => {
    assert.deepEqual(codexPreset.invocation(request()).argv, ["exec", "--json", "--", "-fix it"]);
    assert.deepEqual(codexPreset.invocation(request({ resume: "th_1", model: "gpt-5-codex", permissionMode: "workspace-write", args: ["--skip-git-repo-check"] })).argv, [
      "exec", "--json", "--model", "gpt-5-codex", "--sandbox", "workspace-write", "--skip-git-repo-check", "resume", "th_1", "--", "-fix it",
    ]);
  });

  it("reads thread, command, message and completion events", () => {
    const items = parseAll(codexStreamParser(), [
      { type: "thread.started", thread_id: "0199a213-81c0-7800-8aa1-bbab2a035a53" },
      { type: "turn.started" },
      { type: "item.completed", item: { id: "item_0", type: "reasoning", text: "**Listing files**" } },
      { type: "item.started", item: { id: "item_1", type: "command_execution", command: "bash -lc ls", aggregated_output: "", exit_code: null, status: "in_progress" } },
      { type: "item.completed", item: { id: "item_1", type: "command_execution", command: "bash -lc ls", aggregated_output: "README.md\n", exit_code: 0, status: "completed" } },
      { type: "item.completed", item: { id: "item_2", type: "agent_message", text: "One file: README.md" } },
      { type: "turn.completed", usage: { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 } },
    ]);
    assert.deepEqual(items, [
      { kind: "session", id: "0199a213-81c0-7800-8aa1-bbab2a035a53" },
      { kind: "event", event: { type: "tool.start", id: "item_1", name: "command_execution", input: { command: "bash -lc ls" } } },
      { kind: "event", event: { type: "tool.end", id: "item_1", name: "command_execution", output: "README.md\n", isError: false } },
      { kind: "event", event: { type: "text.delta", text: "One file: README.md" } },
      { kind: "result", text: "One file: README.md" },
    ]);
  });

  it("turn.failed, and a stream error without completion, fail the turn", () => {
    const failed = parseAll(codexStreamParser(), [{ type: "thread.started", thread_id: "t" }, { type: "turn.failed", error: { message: "model overloaded" } }], 1);
    assert.deepEqual(failed.at(-1), { kind: "failure", reason: "the codex CLI reported that the turn failed", detail: "model overloaded" });
    const errored = parseAll(codexStreamParser(), [{ type: "error", message: "stream disconnected" }], 1);
    assert.deepEqual(errored.at(-1), { kind: "failure", reason: "the codex CLI reported an error", detail: "stream disconnected" });
    const retried = parseAll(codexStreamParser(), [{ type: "error", message: "Reconnecting... 1/5" }, { type: "turn.completed", usage: {} }]);
    assert.deepEqual(retried.at(-1), { kind: "result", text: "" });
    assert.throws(() => codexStreamParser().parse("not json"), /the codex CLI printed a line that is not JSON/);
  });
});

describe("gemini preset", () => {
  it("builds `gemini --output-format stream-json [--resume id] --prompt=<prompt>`", () => {
    assert.deepEqual(geminiPreset.invocation(request({ resume: "c0ffee", model: "gemini-2.5-pro", permissionMode: "auto_edit" })).argv, [
      "--output-format", "stream-json", "--resume", "c0ffee", "--model", "gemini-2.5-pro", "--approval-mode", "auto_edit", "--prompt=-fix it",
    ]);
  });

  it("reads init, streamed messages, tools and the result", () => {
    const items = parseAll(geminiStreamParser(), [
      "Loaded cached credentials.",
      { type: "init", timestamp: "2025-10-10T12:00:00.000Z", session_id: "abc123", model: "gemini-2.5-flash" },
      { type: "message", timestamp: "2025-10-10T12:00:01.000Z", role: "user", content: "List files" },
      { type: "tool_use", timestamp: "2025-10-10T12:00:02.000Z", tool_name: "list_directory", tool_id: "ls-1", parameters: { dir_path: "." } },
      { type: "tool_result", timestamp: "2025-10-10T12:00:03.000Z", tool_id: "ls-1", status: "success", output: "README.md" },
      { type: "message", timestamp: "2025-10-10T12:00:04.000Z", role: "assistant", content: "There is ", delta: true },
      { type: "message", timestamp: "2025-10-10T12:00:04.100Z", role: "assistant", content: "one file.", delta: true },
      { type: "result", timestamp: "2025-10-10T12:00:05.000Z", status: "success", stats: { total_tokens: 250, input_tokens: 50, output_tokens: 200, duration_ms: 3000, tool_calls: 1 } },
    ]);
    assert.deepEqual(items, [
      { kind: "session", id: "abc123" },
      { kind: "event", event: { type: "tool.start", id: "ls-1", name: "list_directory", input: { dir_path: "." } } },
      { kind: "event", event: { type: "tool.end", id: "ls-1", name: "list_directory", output: "README.md", isError: false } },
      { kind: "event", event: { type: "text.delta", text: "There is " } },
      { kind: "event", event: { type: "text.delta", text: "one file." } },
      { kind: "result", text: "There is one file." },
    ]);
  });

  it("an error result fails the turn; a failed tool is an error result", () => {
    const items = parseAll(geminiStreamParser(), [
      { type: "tool_use", tool_name: "read_file", tool_id: "r1", parameters: {} },
      { type: "tool_result", tool_id: "r1", status: "error", error: { type: "FILE_NOT_FOUND", message: "no such file" } },
      { type: "result", status: "error", error: { type: "API_ERROR", message: "quota exceeded" } },
    ], 1);
    assert.deepEqual(items.slice(1), [
      { kind: "event", event: { type: "tool.end", id: "r1", name: "read_file", output: "no such file", isError: true } },
      { kind: "failure", reason: "the gemini CLI reported an error", detail: "quota exceeded" },
    ]);
  });
});

describe("opencode preset", () => {
  it("builds `opencode run --format json [--session id]` with the prompt on stdin", () => {
    assert.deepEqual(opencodePreset.invocation(request({ resume: "ses_1", model: "anthropic/claude-sonnet-4" })), {
      argv: ["run", "--format", "json", "--session", "ses_1", "--model", "anthropic/claude-sonnet-4"],
      stdin: "-fix it",
    });
  });

  it("reads text, tool and done events", () => {
    const sid = "ses_494719016ffe85dkDMj0FPRbHK";
    const items = parseAll(opencodeStreamParser(), [
      { type: "step_start", timestamp: 1767036059338, sessionID: sid, part: { id: "prt_1", sessionID: sid, messageID: "msg_1", type: "step-start" } },
      { type: "tool_use", timestamp: 1767036060000, sessionID: sid, part: { id: "prt_2", type: "tool", callID: "call_1", tool: "bash", state: { status: "completed", input: { command: "ls" }, output: "README.md\n", title: "ls" } } },
      { type: "text", timestamp: 1767036061000, sessionID: sid, part: { id: "prt_3", type: "text", text: "One file.", time: { start: 1, end: 2 } } },
      { type: "step_finish", timestamp: 1767036062000, sessionID: sid, part: { id: "prt_4", type: "step-finish", reason: "stop" } },
      { type: "done", timestamp: 1767036062100, sessionID: sid, reason: "idle", rejected: [] },
    ]);
    assert.deepEqual(items, [
      { kind: "session", id: sid },
      { kind: "event", event: { type: "tool.start", id: "call_1", name: "bash", input: { command: "ls" } } },
      { kind: "event", event: { type: "tool.end", id: "call_1", name: "bash", output: "README.md\n", isError: false } },
      { kind: "event", event: { type: "text.delta", text: "One file." } },
      { kind: "result", text: "One file." },
    ]);
  });

  it("an error event fails the turn; without `done`, a clean exit answers", () => {
    const failed = parseAll(opencodeStreamParser(), [{ type: "error", sessionID: "s", error: { name: "ProviderAuthError", data: { message: "invalid key" } } }], 1);
    assert.deepEqual(failed.at(-1), { kind: "failure", reason: "the opencode CLI reported an error", detail: "invalid key" });
    const old = parseAll(opencodeStreamParser(), [{ type: "text", sessionID: "s", part: { type: "text", text: "hi" } }], 0);
    assert.deepEqual(old.at(-1), { kind: "result", text: "hi" });
  });
});

const isRoot = process.getuid?.() === 0;
const testUser = "switchboard-test";

describe("command agent, strict Unix isolation", { skip: isRoot ? false : "needs root to switch users" }, () => {
  let fake: FakeClaude;
  let uid: number;
  let cwd: string;
  before(() => {
    try {
      execFileSync("id", ["-u", testUser], { stdio: "ignore" });
    } catch {
      execFileSync("useradd", ["--system", "--no-create-home", testUser]);
    }
    uid = Number(execFileSync("id", ["-u", testUser], { encoding: "utf8" }).trim());
    fake = installFakeClaude({ portable: true });
    cwd = mkdtempSync(join(tmpdir(), "command-isolated-"));
    chmodSync(cwd, 0o755);
  });
  after(() => {
    fake.remove();
    rmSync(cwd, { recursive: true, force: true });
  });
  const strict = (isolation: CommandAgentConfig["isolation"]) => agentFor(fake, { cwd, isolation });

  it("a mapped user's turn runs as their Unix user, with their HOME", async () => {
    const mcpServers = { files: { command: "mcp-files" } };
    const events = await collectEvents(strict({ mode: "strict", userMap: { tester: testUser } }).run(turnInput("[whoami]", { settings: { mcpServers } })));
    assert.match((final(events) as { text: string }).text, new RegExp(`^uid=${uid} `));
    const call = fake.calls().at(-1)!;
    assert.equal(call.uid, uid);
    assert.equal(call.env.USER, testUser);
    assert.notEqual(call.env.HOME, process.env.HOME);
    assert.deepEqual(call.mcpConfig, { mcpServers }, "the MCP file is readable by the mapped user");
  });

  it("a user without a mapping is refused, and nothing is spawned", async () => {
    const untouched = installFakeClaude({ portable: true });
    try {
      const agent = agentFor(untouched, { cwd, isolation: { mode: "strict", userMap: { someone: testUser } } });
      const error = await failure(collectEvents(agent.run(turnInput("[whoami]"))));
      assert.ok(error instanceof AgentError);
      assert.equal(error.message, "no Unix user is mapped for this user; refusing to run");
      assert.equal(existsSync(join(untouched.dir, "calls.jsonl")), false, "the fake CLI never ran");
    } finally {
      untouched.remove();
    }
  });

  it("maps by the user's email, by the core's unixUser, and falls back to the fixed user", async () => {
    const byEmail = turnInput("[whoami]", { messages: [{ id: "m", text: "[whoami]", sender: { id: "tester", email: "ada@example.com" }, channel: "test", attachments: [] }] });
    await collectEvents(strict({ mode: "strict", userMap: { "ada@example.com": testUser } }).run(byEmail));
    assert.equal(fake.calls().at(-1)!.uid, uid);
    await collectEvents(strict({ mode: "strict" }).run(turnInput("[whoami]", { user: { id: "tester", unixUser: testUser } })));
    assert.equal(fake.calls().at(-1)!.uid, uid);
    await collectEvents(strict({ mode: "strict", user: testUser, userMap: { other: "root" } }).run(turnInput("[whoami]")));
    assert.equal(fake.calls().at(-1)!.uid, uid);
  });

  it("refuses to run as root, or as a user that doesn't exist", async () => {
    const root = await failure(collectEvents(strict({ mode: "strict", userMap: { tester: "root" } }).run(turnInput("hi"))));
    assert.match(root.message, /refuses to run a CLI as root/);
    const missing = await failure(collectEvents(strict({ mode: "strict", user: "no-such-user-here" }).run(turnInput("hi"))));
    assert.match(missing.message, /Unix user "no-such-user-here" does not exist/);
  });
});

describe("command agent in a gateway", () => {
  let t: TestGateway;
  let fake: FakeClaude;
  const send = (user: string, text: string) => postJson(`${t.url}/v1/messages`, { user, text });
  before(async () => {
    fake = installFakeClaude();
    t = await startGateway({ defaultAgent: "coder", routes: [{ name: "missing", when: { keyword: "offline" }, then: { agent: "missing" } }] }, (gw) => {
      gw.addAgent(agentFor(fake));
      gw.addAgent(agentFor(fake, { command: "/nonexistent/claude" }, "missing"));
    });
  });
  after(async () => {
    await t.stop();
    fake.remove();
  });

  it("streamed text and tool calls reach an SSE client", async () => {
    const response = await fetch(`${t.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ user: "sse", text: "look [tool]" }),
    });
    const frames = parseSse(await response.text());
    const events = frames.map((f) => f.event);
    assert.deepEqual(events.filter((e) => e.startsWith("tool.")), ["tool.start", "tool.end"]);
    assert.ok(events.indexOf("tool.start") < events.lastIndexOf("text.delta"));
    assert.equal(frames.find((f) => f.event === "tool.start")!.data.name, "Bash");
    assert.equal(frames.at(-1)!.data.reply, "There are two entries.");
  });

  it("a follow-up in the same session resumes the same CLI session; another user gets another", async () => {
    const first = await send("alice", "hello");
    const id = /of session (\S+):/.exec(first.body.reply)![1]!;
    assert.equal(first.body.reply, `turn 1 of session ${id}: hello`);
    const second = await send("alice", "more");
    assert.equal(second.body.reply, `turn 2 of session ${id}: more`);
    assert.deepEqual(fake.calls().at(-1)!.argv.slice(4, 6), ["--resume", id]);
    const bob = await send("bob", "hello");
    assert.match(bob.body.reply, /^turn 1 of session /);
    assert.ok(!bob.body.reply.includes(id));
  });

  it("the CLI's stderr never reaches the user", async () => {
    const ok = await send("carol", "[stderr]");
    assert.equal(ok.body.status, "done");
    assert.ok(!JSON.stringify(ok.body).includes("SECRET_TOKEN"));
    for (const text of ["[crash]", "[fail]"]) {
      const response = await fetch(`${t.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ user: "carol", text }),
      });
      const body = await response.text();
      assert.ok(!body.includes("SECRET_TOKEN"), `${text}: the SSE stream leaks stderr`);
      assert.equal(parseSse(body).at(-1)!.data.reply, replies.failed);
    }
  });

  for (const [name, text] of [
    ["a failed result", "[fail]"],
    ["a crash", "[crash]"],
    ["a malformed stream", "[malformed]"],
    ["a missing CLI", "offline please"],
  ] as const) {
    it(`${name} gets the apology, and the session then answers the next message`, async () => {
      const user = `user-${name}`;
      const failed = await send(user, text);
      assert.equal(failed.body.reply, replies.failed);
      assert.equal(failed.body.status, "failed");
      const next = await send(user, "are you there?");
      assert.equal(next.body.status, "done");
      assert.match(next.body.reply, /: are you there\?$/);
    });
  }
});

describe("command agent sessions across a gateway restart", () => {
  it("the next turn after a restart resumes the same CLI session from the store", async () => {
    const fake = installFakeClaude();
    const dir = mkdtempSync(join(tmpdir(), "command-restart-"));
    const config = { store: `sqlite:${join(dir, "gateway.db")}`, defaultAgent: "coder" };
    try {
      const one = await startGateway(config, (gw) => gw.addAgent(agentFor(fake)));
      const first = await postJson(`${one.url}/v1/messages`, { user: "dana", text: "hello" });
      await one.stop();
      const id = /of session (\S+):/.exec(first.body.reply)![1]!;

      const two = await startGateway(config, (gw) => gw.addAgent(agentFor(fake)));
      try {
        const second = await postJson(`${two.url}/v1/messages`, { user: "dana", text: "after the restart" });
        assert.equal(second.body.reply, `turn 2 of session ${id}: after the restart`);
      } finally {
        await two.stop();
      }
    } finally {
      fake.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("command agent, hung CLI in a gateway", () => {
  let t: TestGateway;
  let fake: FakeClaude;
  before(async () => {
    fake = installFakeClaude();
    // Long enough for the fake's normal turns on a loaded machine, short enough for the test.
    t = await startGateway({ defaultAgent: "coder", lanes: { turnTimeout: "1500ms" } }, (gw) => gw.addAgent(agentFor(fake)));
  });
  after(async () => {
    await t.stop();
    fake.remove();
  });

  it("is cut by the turn timeout, and the next message works", async () => {
    const hung = await postJson(`${t.url}/v1/messages`, { user: "erin", text: "[hang]" });
    assert.equal(hung.body.reply, replies.timeout(1500));
    const next = await postJson(`${t.url}/v1/messages`, { user: "erin", text: "still there?" });
    assert.equal(next.body.status, "done");
    assert.match(next.body.reply, /^turn 2 of session .*: still there\?$/);
  });
});
