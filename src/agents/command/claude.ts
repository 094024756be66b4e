/**
 * Claude Code: `claude -p --output-format stream-json --verbose [--resume id] … -- <prompt>`.
 *
 * The prompt goes last, after `--`: a message starting with "-" would otherwise be read as a
 * flag (anthropics/claude-code#25925), and `--mcp-config` takes several values, so a prompt right
 * after it would be read as a config file. stream-json lines:
 *   {"type":"system","subtype":"init","session_id"}
 *   {"type":"assistant","message":{"content":[{"type":"text","text"},{"type":"tool_use","id","name","input"}]}}
 *   {"type":"user","message":{"content":[{"type":"tool_result","tool_use_id","content","is_error"}]}}
 *   {"type":"result","subtype":"success"|"error_…","is_error","result","session_id"}
 */
import type { Preset, PresetRequest, StreamItem, StreamParser } from "./preset.ts";
import { TextJoiner, isRecord, parseJsonLine, str } from "./preset.ts";

export const claudePreset: Preset = {
  name: "claude",
  command: "claude",
  mcpConfig: true,
  invocation(request: PresetRequest) {
    const argv = ["-p", "--output-format", "stream-json", "--verbose"];
    if (request.resume) argv.push("--resume", request.resume);
    if (request.model) argv.push("--model", request.model);
    if (request.permissionMode) argv.push("--permission-mode", request.permissionMode);
    if (request.mcpConfigFile) argv.push("--mcp-config", request.mcpConfigFile);
    argv.push(...request.args, "--", request.prompt);
    return { argv };
  },
  parser: () => claudeStreamParser("claude"),
};

/** The stream-json reader; also used by custom CLIs that speak the same format. */
export function claudeStreamParser(preset: string): StreamParser {
  const toolNames = new Map<string, string>();
  const text = new TextJoiner();
  let streamed = "";
  return {
    mode: "lines",
    parse(line) {
      const event = parseJsonLine(preset, line);
      if (!event) return [];
      const items: StreamItem[] = [];
      const sessionId = str(event.session_id);
      if (sessionId && (event.type === "system" || event.type === "result")) items.push({ kind: "session", id: sessionId });
      const content = isRecord(event.message) && Array.isArray(event.message.content) ? event.message.content : [];
      if (event.type === "assistant") {
        for (const block of content) {
          if (!isRecord(block)) continue;
          if (block.type === "text" && typeof block.text === "string") {
            items.push(...text.delta(block.text));
            streamed += block.text;
          } else if (block.type === "tool_use") {
            const id = str(block.id) ?? `tool-${toolNames.size + 1}`;
            const name = str(block.name) ?? "tool";
            toolNames.set(id, name);
            items.push({ kind: "event", event: { type: "tool.start", id, name, input: block.input } });
          }
        }
      } else if (event.type === "user") {
        for (const block of content) {
          if (!isRecord(block) || block.type !== "tool_result") continue;
          const id = str(block.tool_use_id) ?? "";
          items.push({ kind: "event", event: { type: "tool.end", id, name: toolNames.get(id) ?? "tool", output: toolOutput(block.content), isError: block.is_error === true } });
        }
      } else if (event.type === "result") {
        if (event.is_error === true || (typeof event.subtype === "string" && event.subtype !== "success")) {
          items.push({ kind: "failure", reason: `the ${preset} CLI reported an error (${str(event.subtype) ?? "error"})`, detail: resultText(event) });
        } else {
          items.push({ kind: "result", text: str(event.result) ?? streamed });
        }
      }
      return items;
    },
    end: () => [],
  };
}

/** A tool result's content is a string or a list of content blocks; keep the text. */
function toolOutput(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  const texts = content.filter(isRecord).map((b) => (b.type === "text" ? (str(b.text) ?? "") : `[${str(b.type) ?? "content"}]`));
  return texts.join("\n");
}

function resultText(event: Record<string, unknown>): string | undefined {
  if (typeof event.result === "string") return event.result;
  if (Array.isArray(event.errors)) return event.errors.map(String).join("\n");
  return undefined;
}
