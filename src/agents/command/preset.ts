/**
 * What a preset is: how to build one CLI's argv for a turn, and how to read what it prints.
 * Each preset's parser turns the CLI's own stream into `StreamItem`s; the runner does the rest.
 */
import type { AgentEvent } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";

export interface PresetRequest {
  prompt: string;
  /** The CLI's own session id saved by the last turn of this gateway session, if any. */
  resume: string | undefined;
  /** The gateway's session id: a stable key for CLIs that keep their own state (custom's {session}). */
  gatewaySessionId: string;
  model: string | undefined;
  permissionMode: string | undefined;
  /** A `{"mcpServers": …}` file, for presets that take one. */
  mcpConfigFile: string | undefined;
  /** The config's `args`. */
  args: string[];
}

export interface Invocation {
  argv: string[];
  /** Written to the CLI's stdin, then closed; stdin is empty otherwise. */
  stdin?: string;
}

export type StreamItem =
  | { kind: "event"; event: Extract<AgentEvent, { type: "text.delta" | "tool.start" | "tool.end" }> }
  /** The CLI's session (thread) id, to resume next turn. */
  | { kind: "session"; id: string }
  /** The final answer. */
  | { kind: "result"; text: string }
  /** The CLI reported that the turn failed; `detail` is its own text, kept for the log only. */
  | { kind: "failure"; reason: string; detail?: string };

export interface StreamParser {
  /** `lines`: fed one stdout line at a time (without the newline); `chunks`: raw stdout text. */
  readonly mode: "lines" | "chunks";
  parse(input: string): StreamItem[];
  /** Called once stdout has ended, with the exit code; may add a result (or nothing). */
  end(exitCode: number | null): StreamItem[];
}

export interface Preset {
  readonly name: string;
  /** The executable when the config names none. */
  readonly command: string | undefined;
  /** Whether `--mcp-config <file>` style MCP servers are supported. */
  readonly mcpConfig: boolean;
  invocation(request: PresetRequest): Invocation;
  parser(): StreamParser;
}

/** Parse one stdout line as a JSON object, or fail the turn: a CLI speaking garbage can't be trusted. */
export function parseJsonLine(preset: string, line: string): Record<string, unknown> | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new AgentError(`the ${preset} CLI printed a line that is not JSON`);
  }
  if (!isRecord(value)) throw new AgentError(`the ${preset} CLI printed JSON that is not an object`);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Text blocks of separate assistant messages (before and after a tool call) arrive as separate
 * deltas; a blank line between them keeps the streamed text readable.
 */
export class TextJoiner {
  private wrote = false;
  delta(text: string): StreamItem[] {
    if (text === "") return [];
    const out = this.wrote ? `\n\n${text}` : text;
    this.wrote = true;
    return [{ kind: "event", event: { type: "text.delta", text: out } }];
  }
}
