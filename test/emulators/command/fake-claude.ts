/**
 * A fake `claude` CLI for tests: it takes the argv Claude Code takes in print mode
 * (`-p --output-format stream-json --verbose [--resume id] [--model m] [--permission-mode p]
 * [--mcp-config file] [--] <prompt>`) and prints Claude Code's stream-json lines.
 *
 * State lives in `$FAKE_CLAUDE_DIR`: `sessions/<id>.json` (so `--resume` answers "turn 2 of
 * session <id>", and an unknown id fails like the real CLI), and `calls.jsonl`, one line per run
 * (argv, cwd, uid, environment, pids) for tests to inspect.
 *
 * Directives in the new message pick a behaviour: [tool] [stream] [fail] [crash] [malformed]
 * [hang] [grandchild] [orphan] [linger] [stderr] [whoami]. Anything else gets "turn N of session <id>: <text>".
 *
 * Try it: npx node test/emulators/command/fake-claude.ts -p --output-format stream-json --verbose -- hello
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const argv = process.argv.slice(2);
const dir = process.env.FAKE_CLAUDE_DIR ?? join(tmpdir(), "fake-claude");
mkdirSync(join(dir, "sessions"), { recursive: true });

function option(name: string): string | undefined {
  const end = argv.indexOf("--");
  const i = argv.indexOf(name);
  return i !== -1 && (end === -1 || i < end) ? argv[i + 1] : undefined;
}
function has(name: string): boolean {
  const end = argv.indexOf("--");
  const i = argv.indexOf(name);
  return i !== -1 && (end === -1 || i < end);
}
const out = (value: unknown) => process.stdout.write(JSON.stringify(value) + "\n");
const fatal = (message: string, code = 1): never => {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(code);
};

// The real CLI's contract for print mode with stream-json.
if (!has("-p") && !has("--print")) fatal("the fake only supports print mode (-p)");
if (option("--output-format") !== "stream-json") fatal("expected --output-format stream-json");
if (!has("--verbose")) fatal("When using --print, --output-format=stream-json requires --verbose");
const end = argv.indexOf("--");
const prompt = end !== -1 ? argv.slice(end + 1).join(" ") : (argv.at(-1) ?? "");
// A fresh session gets the history before "The new message:"; directives count only in the new text.
const message = prompt.includes("The new message:\n\n") ? prompt.slice(prompt.lastIndexOf("The new message:\n\n") + 18) : prompt;
const wants = (directive: string) => message.includes(`[${directive}]`);

const resume = option("--resume");
const mcpFile = option("--mcp-config");
let sessionId = resume ?? randomUUID();
const sessionFile = () => join(dir, "sessions", `${sessionId}.json`);
let turn = 1;
if (resume) {
  if (!existsSync(sessionFile())) fatal(`No conversation found with session ID: ${resume}`);
  turn = (JSON.parse(readFileSync(sessionFile(), "utf8")) as { turns: number }).turns + 1;
}
if (wants("new-id")) sessionId = randomUUID(); // some versions answer a resume with a new id

const call: Record<string, unknown> = {
  pid: process.pid,
  argv,
  cwd: process.cwd(),
  uid: process.getuid?.(),
  gid: process.getgid?.(),
  env: process.env,
  prompt,
  mcpConfigPath: mcpFile,
  mcpConfig: mcpFile && existsSync(mcpFile) ? JSON.parse(readFileSync(mcpFile, "utf8")) : undefined,
};
const record = () => appendFileSync(join(dir, "calls.jsonl"), JSON.stringify(call) + "\n");

if (wants("crash")) {
  record();
  process.stderr.write("fatal: SECRET_TOKEN=xyz could not reach the model\n");
  process.exit(3);
}

writeFileSync(sessionFile(), JSON.stringify({ turns: turn }));
out({ type: "system", subtype: "init", session_id: sessionId, cwd: process.cwd(), model: option("--model") ?? "claude-fake", permissionMode: option("--permission-mode") ?? "default", tools: ["Bash"] });
const say = (text: string) => out({ type: "assistant", session_id: sessionId, message: { role: "assistant", content: [{ type: "text", text }] } });
const result = (text: string) => out({ type: "result", subtype: "success", is_error: false, result: text, session_id: sessionId, num_turns: turn });

if (wants("stderr")) process.stderr.write("debug: SECRET_TOKEN=xyz loaded\n");

if (wants("grandchild")) {
  // A grandchild in the same process group that would leave a mark after 3 s, deaf to SIGTERM.
  const mark = join(dir, `grandchild-${process.pid}.txt`);
  const child = spawn(process.execPath, ["-e", `process.on("SIGTERM", () => {}); setTimeout(() => require("fs").writeFileSync(${JSON.stringify(mark)}, "alive"), 3000);`], { stdio: "ignore" });
  call.grandchild = { pid: child.pid, mark };
}
if (wants("orphan")) {
  // A background process left running, holding stdout open, when the CLI itself is done.
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: ["ignore", "inherit", "ignore"] });
  call.grandchild = { pid: child.pid, mark: "" };
  child.unref();
}
record();

if (wants("orphan")) {
  result("done, something still runs in the background");
  process.exit(0);
} else if (wants("hang") || wants("grandchild")) {
  say("working on it…");
  setInterval(() => undefined, 60_000);
} else if (wants("linger")) {
  // Answers, then never exits (as CLIs have, waiting on an MCP server).
  result("answered, but still running");
  setInterval(() => undefined, 60_000);
} else if (wants("malformed")) {
  process.stdout.write("this is {not json\n");
  result("never mind");
} else if (wants("fail")) {
  say("something went wrong");
  out({ type: "result", subtype: "error_during_execution", is_error: true, result: "SECRET_TOKEN=xyz was rejected", session_id: sessionId });
  process.exit(1);
} else if (wants("tool")) {
  out({ type: "assistant", session_id: sessionId, message: { role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } }] } });
  out({ type: "user", session_id: sessionId, message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "README.md\nsrc", is_error: false }] } });
  say("There are two entries.");
  result("There are two entries.");
} else if (wants("stream")) {
  for (const part of ["one", "two", "three"]) {
    say(part);
    await sleep(30);
  }
  result("three");
} else if (wants("whoami")) {
  const text = `uid=${process.getuid?.()} gid=${process.getgid?.()}`;
  say(text);
  result(text);
} else {
  const text = `turn ${turn} of session ${sessionId}: ${message}`;
  say(text);
  result(text);
}
