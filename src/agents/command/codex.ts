/**
 * OpenAI Codex CLI: `codex exec --json [--model m] [--sandbox mode] … [resume <thread id>] -- <prompt>`.
 *
 * Checked against openai/codex `codex-rs/exec/src/cli.rs` and `exec_events.rs`: `--json`,
 * `--model` are global flags of `exec`; `resume` is a subcommand taking `[SESSION_ID] [PROMPT]`.
 * JSONL events: `thread.started {thread_id}`, `turn.started`, `item.started|item.updated|
 * item.completed {item: {id, type, …}}` with item types agent_message {text}, reasoning {text},
 * command_execution {command, aggregated_output, exit_code, status}, file_change {changes,
 * status}, mcp_tool_call {server, tool, arguments, result, error, status}, web_search {query},
 * todo_list, error {message}; then `turn.completed {usage}` or `turn.failed {error: {message}}`;
 * `error {message}` is a stream error (retries print these too, so only a missing
 * `turn.completed` makes it fatal). The thread id is what `resume` takes.
 */
import type { Preset, PresetRequest, StreamItem, StreamParser } from "./preset.ts";
import { TextJoiner, isRecord, parseJsonLine, str } from "./preset.ts";

export const codexPreset: Preset = {
  name: "codex",
  command: "codex",
  mcpConfig: false,
  invocation(request: PresetRequest) {
    const argv = ["exec", "--json"];
    if (request.model) argv.push("--model", request.model);
    if (request.permissionMode) argv.push("--sandbox", request.permissionMode);
    argv.push(...request.args);
    if (request.resume) argv.push("resume", request.resume);
    argv.push("--", request.prompt);
    return { argv };
  },
  parser: codexStreamParser,
};

export function codexStreamParser(): StreamParser {
  const text = new TextJoiner();
  const started = new Set<string>();
  let lastMessage = "";
  let streamError: string | undefined;
  let finished = false;

  const tool = (item: Record<string, unknown>, phase: "started" | "completed"): StreamItem[] => {
    const id = str(item.id) ?? "";
    const described = describeTool(item);
    if (!described) return [];
    const out: StreamItem[] = [];
    if (!started.has(id)) {
      started.add(id);
      out.push({ kind: "event", event: { type: "tool.start", id, name: described.name, input: described.input } });
    }
    if (phase === "completed") {
      out.push({ kind: "event", event: { type: "tool.end", id, name: described.name, output: described.output, isError: described.isError } });
    }
    return out;
  };

  return {
    mode: "lines",
    parse(line) {
      const event = parseJsonLine("codex", line);
      if (!event) return [];
      switch (event.type) {
        case "thread.started": {
          const id = str(event.thread_id);
          return id ? [{ kind: "session", id }] : [];
        }
        case "item.started":
        case "item.completed": {
          if (!isRecord(event.item)) return [];
          const item = event.item;
          if (item.type === "agent_message") {
            if (event.type !== "item.completed") return [];
            lastMessage = str(item.text) ?? "";
            return text.delta(lastMessage);
          }
          return tool(item, event.type === "item.started" ? "started" : "completed");
        }
        case "turn.completed":
          finished = true;
          return [{ kind: "result", text: lastMessage }];
        case "turn.failed": {
          finished = true;
          const error = isRecord(event.error) ? str(event.error.message) : undefined;
          return [{ kind: "failure", reason: "the codex CLI reported that the turn failed", detail: error }];
        }
        case "error":
          streamError = str(event.message) ?? streamError;
          return [];
        default:
          return [];
      }
    },
    end() {
      if (finished || streamError === undefined) return [];
      return [{ kind: "failure", reason: "the codex CLI reported an error", detail: streamError }];
    },
  };
}

function describeTool(item: Record<string, unknown>): { name: string; input: unknown; output: unknown; isError: boolean } | undefined {
  const failed = item.status === "failed" || item.status === "declined";
  switch (item.type) {
    case "command_execution": {
      const exitCode = typeof item.exit_code === "number" ? item.exit_code : undefined;
      return { name: "command_execution", input: { command: item.command }, output: item.aggregated_output, isError: failed || (exitCode !== undefined && exitCode !== 0) };
    }
    case "mcp_tool_call": {
      const error = isRecord(item.error) ? str(item.error.message) : undefined;
      return { name: `${str(item.server) ?? "mcp"}.${str(item.tool) ?? "tool"}`, input: item.arguments, output: error ?? item.result, isError: failed || error !== undefined };
    }
    case "file_change":
      return { name: "file_change", input: { changes: item.changes }, output: item.status, isError: failed };
    case "web_search":
      return { name: "web_search", input: { query: item.query }, output: undefined, isError: false };
    default:
      return undefined; // reasoning, todo_list, non-fatal error items: not tool calls
  }
}
