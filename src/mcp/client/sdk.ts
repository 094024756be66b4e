/**
 * The client half of `@modelcontextprotocol/sdk`, loaded only when a turn has an MCP server with a
 * URL, so agents without one never load it.
 */
import type * as ClientModule from "@modelcontextprotocol/sdk/client/index.js";
import type * as TransportModule from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type * as TypesModule from "@modelcontextprotocol/sdk/types.js";
import { AgentError } from "../../core/errors.ts";

export interface ClientSdk {
  Client: typeof ClientModule.Client;
  StreamableHTTPClientTransport: typeof TransportModule.StreamableHTTPClientTransport;
  StreamableHTTPError: typeof TransportModule.StreamableHTTPError;
  McpError: typeof TypesModule.McpError;
}

let loading: Promise<ClientSdk> | undefined;

export function loadClientSdk(): Promise<ClientSdk> {
  loading ??= Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]).then(
    ([client, transport, types]) => ({
      Client: client.Client,
      StreamableHTTPClientTransport: transport.StreamableHTTPClientTransport,
      StreamableHTTPError: transport.StreamableHTTPError,
      McpError: types.McpError,
    }),
    (error: unknown) => {
      loading = undefined;
      throw new AgentError("MCP servers with a url need the @modelcontextprotocol/sdk package: npm install @modelcontextprotocol/sdk", { cause: error });
    },
  );
  return loading;
}
