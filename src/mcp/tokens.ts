/**
 * Agents' tokens for the MCP server: made at start unless the config fixes one, looked up in
 * constant time (a token is compared by its SHA-256, so neither its content nor its length leaks
 * through timing), and handed to the agent as the `switchboard` entry of its `mcpServers`.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { McpServerConfig } from "../core/agent.ts";
import type { McpGrant } from "./deps.ts";

/** The name agents see the gateway's server under; their tools are `switchboard__send_message`, … */
export const GATEWAY_MCP_SERVER = "switchboard";

/** A fresh token: 32 random bytes, URL-safe. */
export function newAgentToken(): string {
  return randomBytes(32).toString("base64url");
}

/** `grantFor` over a fixed set of tokens. */
export function grantLookup(entries: Iterable<readonly [token: string, grant: McpGrant]>): (token: string) => McpGrant | undefined {
  const known = [...entries].map(([token, grant]) => ({ digest: digest(token), grant }));
  return (token) => {
    const presented = digest(token);
    let found: McpGrant | undefined;
    // Every entry is compared, so the time taken does not tell which one matched.
    for (const entry of known) if (timingSafeEqual(entry.digest, presented)) found ??= entry.grant;
    return found;
  };
}

/** The `mcpServers` entry that gives an agent the gateway's server: `<gateway url>/mcp` with its token. */
export function gatewayMcpServer(gatewayUrl: string, token: string): McpServerConfig {
  return { type: "http", url: `${gatewayUrl.replace(/\/+$/, "")}/mcp`, headers: { authorization: `Bearer ${token}` } };
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
