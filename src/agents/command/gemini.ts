/**
 * Gemini CLI: `gemini --output-format stream-json [--resume <session id>] [--model m]
 * [--approval-mode mode] … --prompt=<prompt>`.
 *
 * Checked against google-gemini/gemini-cli `packages/core/src/output/types.ts`: JSONL events
 * `init {session_id, model}`, `message {role, content, delta?}`, `tool_use {tool_name, tool_id,
 * parameters}`, `tool_result {tool_id, status: success|error, output?, error?: {type, message}}`,
 * `error {severity: warning|error, message}`, `result {status: success|error, error?, stats}`.
 * `--resume <session id>` continues a recorded session (google-gemini/gemini-cli#14435, #20691).
 * The prompt is passed as `--prompt=<text>` so text starting with "-" stays the prompt's value.
 * Lines that don't start with "{" are skipped: Gemini has printed banners and notices on stdout.
 */
import type { Preset, PresetRequest, StreamItem, StreamParser } from "./preset.ts";
import { TextJoiner, isRecord, parseJsonLine, str } from "./preset.ts";

export const geminiPreset: Preset = {
  name: "gemini",
  command: "gemini",
  mcpConfig: false,
  invocation(request: PresetRequest) {
    const argv = ["--output-format", "stream-json"];
    if (request.resume) argv.push("--resume", request.resume);
    if (request.model) argv.push("--model", request.model);
    if (request.permissionMode) argv.push("--approval-mode", request.permissionMode);
    argv.push(...request.args, `--prompt=${request.prompt}`);
    return { argv };
  },
  parser: geminiStreamParser,
};

export function geminiStreamParser(): StreamParser {
  const toolNames = new Map<string, string>();
  let answer = "";
  let lastRole: string | undefined;
  let error: string | undefined;
  const text = new TextJoiner();
  return {
    mode: "lines",
    parse(line) {
      const event = parseLoose(line);
      if (!event) return [];
      switch (event.type) {
        case "init": {
          const id = str(event.session_id);
          return id ? [{ kind: "session", id }] : [];
        }
        case "message": {
          if (event.role !== "assistant") return [];
          const content = str(event.content) ?? "";
          // Deltas continue the current message; a whole message after a tool call starts a new one.
          const continues = event.delta === true && lastRole === "assistant";
          lastRole = "assistant";
          if (continues) {
            answer += content;
            return content ? [{ kind: "event", event: { type: "text.delta", text: content } }] : [];
          }
          answer += answer ? `\n\n${content}` : content;
          return text.delta(content);
        }
        case "tool_use": {
          lastRole = "tool";
          const id = str(event.tool_id) ?? "";
          const name = str(event.tool_name) ?? "tool";
          toolNames.set(id, name);
          return [{ kind: "event", event: { type: "tool.start", id, name, input: event.parameters } }];
        }
        case "tool_result": {
          const id = str(event.tool_id) ?? "";
          const failed = event.status === "error";
          const output = failed && isRecord(event.error) ? str(event.error.message) : event.output;
          return [{ kind: "event", event: { type: "tool.end", id, name: toolNames.get(id) ?? "tool", output, isError: failed } }];
        }
        case "error":
          if (event.severity === "error") error = str(event.message) ?? error;
          return [];
        case "result": {
          if (event.status === "success") return [{ kind: "result", text: answer }];
          const detail = isRecord(event.error) ? str(event.error.message) : error;
          return [{ kind: "failure", reason: "the gemini CLI reported an error", detail }];
        }
        default:
          return [];
      }
    },
    end: () => [] as StreamItem[],
  };
}

/** Skip banner lines; a line that looks like JSON but isn't is a broken stream. */
function parseLoose(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith("{")) return undefined;
  return parseJsonLine("gemini", line);
}
