/**
 * OpenCode: `opencode run --format json [--session <id>] [--model provider/model] …`, with the
 * prompt on stdin.
 *
 * Checked against anomalyco/opencode `packages/opencode/src/cli/cmd/run.ts`: `run` joins its
 * message arguments and wraps any containing a space in quotes, so the prompt goes through
 * stdin (read when stdin isn't a TTY) to reach the model unchanged. With `--format json` each
 * line is `{type, timestamp, sessionID, …}`: `step_start {part}`, `text {part: {text}}` (a
 * finished text part), `reasoning {part}`, `tool_use {part: {callID, tool, state: {status:
 * completed|error, input, output, error}}}` (only once finished), `step_finish {part}`,
 * `error {error: {name, data: {message}}}`, and `done {reason: "idle"}` at the end (newer
 * versions). There is no permission flag for `run`; `permissionMode` is not passed.
 */
import type { Preset, PresetRequest, StreamItem, StreamParser } from "./preset.ts";
import { TextJoiner, isRecord, parseJsonLine, str } from "./preset.ts";

export const opencodePreset: Preset = {
  name: "opencode",
  command: "opencode",
  mcpConfig: false,
  invocation(request: PresetRequest) {
    const argv = ["run", "--format", "json"];
    if (request.resume) argv.push("--session", request.resume);
    if (request.model) argv.push("--model", request.model);
    argv.push(...request.args);
    return { argv, stdin: request.prompt };
  },
  parser: opencodeStreamParser,
};

export function opencodeStreamParser(): StreamParser {
  const text = new TextJoiner();
  let answer = "";
  let sessionId: string | undefined;
  let failed = false;
  let done = false;
  return {
    mode: "lines",
    parse(line) {
      const event = parseJsonLine("opencode", line);
      if (!event) return [];
      const items: StreamItem[] = [];
      const id = str(event.sessionID);
      if (id && id !== sessionId) {
        sessionId = id;
        items.push({ kind: "session", id });
      }
      const part = isRecord(event.part) ? event.part : {};
      if (event.type === "text") {
        const content = str(part.text) ?? "";
        answer += answer && content ? `\n\n${content}` : content;
        items.push(...text.delta(content));
      } else if (event.type === "tool_use") {
        const state = isRecord(part.state) ? part.state : {};
        const callId = str(part.callID) ?? str(part.id) ?? "";
        const name = str(part.tool) ?? "tool";
        const isError = state.status === "error";
        items.push({ kind: "event", event: { type: "tool.start", id: callId, name, input: state.input } });
        items.push({ kind: "event", event: { type: "tool.end", id: callId, name, output: isError ? state.error : state.output, isError } });
      } else if (event.type === "error") {
        failed = true;
        const error = isRecord(event.error) ? event.error : {};
        const detail = isRecord(error.data) ? str(error.data.message) : undefined;
        items.push({ kind: "failure", reason: "the opencode CLI reported an error", detail: detail ?? str(error.name) });
      } else if (event.type === "done") {
        done = true;
        if (!failed) items.push({ kind: "result", text: answer });
      }
      return items;
    },
    // Versions without a `done` event just exit 0 when the session goes idle.
    end: (exitCode) => (!done && !failed && exitCode === 0 ? [{ kind: "result", text: answer }] : []),
  };
}
