/**
 * The agent contract: a turn is an AsyncIterable of events. Every backend (echo, function,
 * OpenAI, A2A, a CLI coding agent) implements `Agent.run` and nothing else.
 */
import type { Sender } from "./envelope.ts";

export type AgentEvent =
  | { type: "text.delta"; text: string }
  | { type: "tool.start"; id: string; name: string; input?: unknown }
  | { type: "tool.end"; id: string; name: string; output?: unknown; isError?: boolean }
  | { type: "subagent.exposed"; subagentId: string; agentId: string; sessionId: string; label?: string }
  | { type: "message"; text: string }
  | { type: "error"; message: string };

export interface TranscriptEntry {
  role: "user" | "assistant";
  text: string;
  at: number;
  /** The accepted message this entry came from or answers. */
  messageId?: string;
}

export interface TurnInput {
  sessionId: string;
  agentId: string;
  turnId: string;
  /** The new message(s) of this turn, instruction already prepended. Several under the `collect` policy. */
  messages: Array<{ id: string; text: string; sender: Sender; channel: string }>;
  /** All new messages joined into one prompt. */
  text: string;
  /** Earlier completed exchanges of this session, oldest first. */
  transcript: TranscriptEntry[];
  /** Aborted on interrupt, timeout or shutdown; agents should stop promptly. */
  signal: AbortSignal;
}

export interface Agent {
  id: string;
  kind: string;
  run(input: TurnInput): AsyncIterable<AgentEvent>;
}
