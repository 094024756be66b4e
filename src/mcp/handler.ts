/**
 * The gateway's MCP endpoint as a fetch-style handler: Model Context Protocol over Streamable
 * HTTP, authenticated by an agent's bearer token.
 *
 * Stateless: every POST gets a fresh server and transport bound to the caller's grant, answered
 * with plain JSON, and both are closed once the answer is built. Nothing lives between requests,
 * so any gateway instance can serve any request (no session affinity behind a load balancer), a
 * changed grant applies to the very next call, and idle clients hold no memory. The tools are
 * short request/response calls, so the server has nothing to push: GET (the server-to-client
 * stream) and DELETE (ending a session) are answered 405, which clients treat as "not offered".
 */
import { SwitchboardError } from "../core/errors.ts";
import { errorResponse } from "../core/http-io.ts";
import type { Logger } from "../core/log.ts";
import { authenticate } from "./auth.ts";
import type { McpDeps } from "./deps.ts";
import { loadServerSdk, type ServerSdk } from "./sdk.ts";
import { buildMcpServer } from "./server.ts";

export interface McpHandlerOptions {
  /** Where tool failures that are our bug are logged (never sent to the caller). */
  log?: Logger;
  /** Largest request body, in bytes (default 1 MiB); the SDK answers 413 past it. */
  bodyLimit?: number;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function createMcpHandler(deps: McpDeps, options: McpHandlerOptions = {}): (request: Request) => Promise<Response> {
  return async (request) => {
    const grant = authenticate(request, deps);
    if (grant instanceof Response) return grant;
    if (request.method !== "POST") return methodNotAllowed(request.method);

    let sdk: ServerSdk;
    try {
      sdk = await loadServerSdk();
    } catch (error) {
      if (error instanceof SwitchboardError) return errorResponse(error.status, error.message);
      throw error;
    }
    const server = buildMcpServer(sdk, { deps, grant, log: options.log });
    const transport = new sdk.WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      // With JSON responses the answer is complete here; closing frees the per-request server.
      await server.close();
    }
  };
}

/** A JSON-RPC error body, as MCP clients expect from the endpoint. */
function methodNotAllowed(method: string): Response {
  const body = { jsonrpc: "2.0", error: { code: -32000, message: `${method} is not offered: this MCP server is stateless, send JSON-RPC messages with POST` }, id: null };
  return new Response(JSON.stringify(body), { status: 405, headers: { "content-type": "application/json", allow: "POST" } });
}
