/**
 * The gateway's MCP server for agents (`/mcp`): tools to send, schedule and read sessions,
 * behind per-agent tokens. The lead's `Switchboard` implements `McpDeps` and mounts the handler.
 */
export { createMcpHandler, type McpHandlerOptions } from "./handler.ts";
export type { McpChannelInfo, McpDeps, McpGrant, McpScheduleRequest, McpSessionDetail, McpSessionInfo } from "./deps.ts";
export { channelAllowed } from "./grant.ts";
export { GATEWAY_MCP_SERVER, gatewayMcpServer, grantLookup, newAgentToken } from "./tokens.ts";
