/** What every tool of one MCP request works with: the gateway's operations and the caller's grant. */
import type { Logger } from "../../core/log.ts";
import type { McpDeps, McpGrant } from "../deps.ts";

export interface ToolContext {
  deps: McpDeps;
  grant: McpGrant;
  log: Logger | undefined;
}

/** Epoch milliseconds as a model reads them best: an ISO date-time in UTC. */
export function isoTime(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
