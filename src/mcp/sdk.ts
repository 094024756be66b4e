/**
 * The server half of `@modelcontextprotocol/sdk`, loaded on the first MCP request so a gateway
 * whose agents have no gatewayTools never loads it.
 */
import type * as McpServerModule from "@modelcontextprotocol/sdk/server/mcp.js";
import type * as TransportModule from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { SwitchboardError } from "../core/errors.ts";

export interface ServerSdk {
  McpServer: typeof McpServerModule.McpServer;
  WebStandardStreamableHTTPServerTransport: typeof TransportModule.WebStandardStreamableHTTPServerTransport;
}

let loading: Promise<ServerSdk> | undefined;

export function loadServerSdk(): Promise<ServerSdk> {
  loading ??= Promise.all([import("@modelcontextprotocol/sdk/server/mcp.js"), import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js")]).then(
    ([server, transport]) => ({ McpServer: server.McpServer, WebStandardStreamableHTTPServerTransport: transport.WebStandardStreamableHTTPServerTransport }),
    (error: unknown) => {
      loading = undefined;
      throw new SwitchboardError('the MCP server needs the @modelcontextprotocol/sdk package: npm install @modelcontextprotocol/sdk', { status: 503, cause: error });
    },
  );
  return loading;
}
