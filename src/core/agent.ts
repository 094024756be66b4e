/**
 * The agent contract: a turn is an AsyncIterable of events. Every backend (echo, function,
 * OpenAI, A2A, a CLI coding agent) implements `Agent.run` and nothing else.
 */
import type { Attachment, Sender } from "./envelope.ts";

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

/** An MCP server an agent may use, as CLI agents (Claude Code, …) take them. */
export interface McpServerConfig {
  /** For a `url` server: `http` (Streamable HTTP) or `sse`; CLI agents such as Claude Code want it said. */
  type?: "http" | "sse";
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

/**
 * Settings a deployment may vary per channel and per user, on top of the agent's own config.
 * The turn gets them merged: channel > user > the agent's defaults.
 */
export interface AgentSettings {
  model?: string;
  permissionMode?: string;
  mcpServers?: Record<string, McpServerConfig>;
  env?: Record<string, string>;
  cwd?: string;
}

export interface DelegateRequest {
  /** A configured agent id. */
  agent: string;
  text: string;
  /** Let the user talk to this sub-agent directly: the stream gets a `subagent.exposed` event. */
  expose?: boolean;
  /** A human-readable name; delegations with different labels get different sub-sessions. */
  label?: string;
}

export interface DelegateResult {
  status: "done" | "failed" | "interrupted";
  reply: string;
  /** The sub-session the delegation ran in. */
  sessionId: string;
  /** Set when the sub-agent was exposed. */
  subagentId?: string;
}

export interface TurnInput {
  sessionId: string;
  agentId: string;
  turnId: string;
  /** The new message(s) of this turn, instruction already prepended. Several under the `collect` policy. */
  messages: Array<{ id: string; text: string; sender: Sender; channel: string; attachments: Attachment[] }>;
  /** All new messages joined into one prompt. */
  text: string;
  /** Earlier completed exchanges of this session, oldest first. */
  transcript: TranscriptEntry[];
  /** Aborted on interrupt, timeout or shutdown; agents should stop promptly. */
  signal: AbortSignal;
  /** Whom the session runs as. */
  user: { id: string; unixUser?: string };
  /** The channel the turn's (last) message came from. */
  channel: string;
  /** Merged settings for this turn: channel > user > agent defaults. */
  settings: AgentSettings;
  /** What `setState` saved in this session's last committed turn. */
  state: Record<string, unknown> | undefined;
  /** Save per-session state (a CLI's own session id, an A2A contextId); committed with the turn. */
  setState(state: Record<string, unknown>): void;
  /** Run another configured agent in a sub-session of this one and wait for its reply. */
  delegate(request: DelegateRequest): Promise<DelegateResult>;
}

export interface Agent {
  id: string;
  kind: string;
  /**
   * The agent reads neither `transcript` nor `state` (both come empty), so the turn does not load
   * them: a session's transcript grows with every exchange, and reading it whole for an agent that
   * ignores it was the turn's largest read.
   */
  readonly stateless?: boolean;
  run(input: TurnInput): AsyncIterable<AgentEvent>;
}
