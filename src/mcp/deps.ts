/**
 * What the gateway's MCP server needs from the gateway: who a bearer token belongs to, and the
 * operations its tools run. The server (handler.ts) codes against this and nothing else, so it can
 * be tested over a real gateway and wired into `Switchboard` without either knowing the other.
 */

/** What one agent's token may do through the MCP server (from its `gatewayTools` config). */
export interface McpGrant {
  /** The agent this token belongs to. */
  agent: string;
  /** Channel ids it may send to; "*" for all. */
  channels: string[] | "*";
  /** Whether it may create schedules. */
  schedule: boolean;
}

export interface McpChannelInfo {
  id: string;
  type: string;
  /** Whether the channel can start a conversation (has `resolveTarget`), not only answer. */
  canSendFirst: boolean;
}

export interface McpSessionInfo {
  id: string;
  agent: string;
  channel: string;
  userId: string;
  status: string;
  lastActivityAt: number;
}

export interface McpSessionDetail {
  session: { id: string; agent: string; channel: string; userId: string; status: string };
  transcript: Array<{ role: string; text: string; at: number }>;
}

export interface McpScheduleRequest {
  /** `agent:<id>` of the calling agent; an `instruction` runs that agent. */
  by: string;
  name?: string;
  /** Exactly one of cron, at and every. */
  cron?: string;
  at?: string;
  every?: string;
  timezone?: string;
  channel: string;
  to: string;
  /** Exactly one of text (sent as it is) and instruction (the agent answers it each run). */
  text?: string;
  instruction?: string;
}

export interface McpDeps {
  /** The grant of a bearer token, or undefined for an unknown token (compare in constant time). */
  grantFor(token: string): McpGrant | undefined;
  /**
   * Proactive send: resolves `to` with the channel's resolveTarget and queues the message durably.
   * `by` is `agent:<id>`. Throws SwitchboardError (status 400/403/404/422/503) with a clear message.
   */
  sendMessage(input: { channel: string; to: string; text: string; by: string; id?: string }): Promise<{ messageId: string; sessionId: string; status: "accepted" | "duplicate" }>;
  listChannels(): Promise<McpChannelInfo[]>;
  listSessions(query: { channel?: string; agent?: string; user?: string; limit?: number }): Promise<McpSessionInfo[]>;
  getSession(id: string): Promise<McpSessionDetail | undefined>;
  /** A schedule made by an agent. Returns its name and next run (epoch ms). Throws SwitchboardError on bad timing or target. */
  scheduleMessage(input: McpScheduleRequest): Promise<{ name: string; nextRunAt: number | undefined }>;
}
