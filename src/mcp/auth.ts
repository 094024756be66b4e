/**
 * Who is calling the MCP server: the bearer token of an agent, looked up through `grantFor`. A
 * request without one, or with a token the gateway does not know, gets a 401 that says which
 * (never echoing the token) with the `WWW-Authenticate: Bearer` challenge HTTP asks for.
 */
import { errorResponse } from "../core/http-io.ts";
import type { McpDeps, McpGrant } from "./deps.ts";

export function authenticate(request: Request, deps: Pick<McpDeps, "grantFor">): McpGrant | Response {
  const header = request.headers.get("authorization");
  const token = header === null ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
  if (token === undefined) {
    return unauthorized("the MCP server needs an agent's token: send Authorization: Bearer <token>", 'Bearer realm="switchboard"');
  }
  const grant = deps.grantFor(token);
  if (!grant) return unauthorized("unknown token: it belongs to no agent with gatewayTools", 'Bearer realm="switchboard", error="invalid_token"');
  return grant;
}

function unauthorized(message: string, challenge: string): Response {
  const response = errorResponse(401, message);
  response.headers.set("www-authenticate", challenge);
  return response;
}
