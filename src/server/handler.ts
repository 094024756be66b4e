/**
 * The gateway's HTTP surface as one fetch-style handler: health, the `/v1` API, and
 * `/channels/<id>/…` for every channel that takes webhooks. Everything else (Node servers,
 * Express, Hono, a prefix) adapts to this one function. Errors become a JSON 4xx with a reason;
 * nothing a caller sends can crash the process.
 */
import type { Gateway } from "../core/gateway.ts";
import { SwitchboardError } from "../core/errors.ts";
import { errorResponse, json } from "../core/http-io.ts";
import type { Channel } from "../core/channel.ts";
import { handleSessions } from "./sessions-api.ts";
import { handlePairing } from "./pairing-api.ts";
import { handleChannels } from "./channels-api.ts";
import { handleOutbound, handleSchedules } from "./schedules-api.ts";
import { handleMetrics } from "./metrics-api.ts";
import type { GatewayMetrics } from "../core/metrics/index.ts";
import type { ScheduleService } from "../core/schedules/service.ts";
import type { ChannelAdmin } from "../channels/stored/admin.ts";
import { adminRefusal, managementSegments } from "./admin-auth.ts";

/**
 * `mountPath` is a prefix the host app already stripped from the URL it routed on (Express's
 * `app.use(path, …)`); the request URL still carries it, so pages can link back correctly.
 */
export type FetchHandler = (request: Request, context?: { mountPath?: string }) => Promise<Response>;

export interface HandlerOptions {
  bodyLimit: number;
  /** Id of the `http` channel that serves `/v1`; the first one when unset. */
  apiChannel?: string;
  /** Strip this path prefix before routing, for mounting under e.g. `/gateway`. */
  prefix?: string;
  /** The token of the management API (`/v1/sessions`, `/v1/pairing`); without one it is off. */
  adminToken?: string;
  /** Channel management (`/v1/channels`); absent where the gateway has no config behind it. */
  channels?: ChannelAdmin;
  /** Schedules (`/v1/schedules`); absent on a gateway without them. */
  schedules?: ScheduleService;
  /** The MCP server for agents (`/mcp`), when an agent has gatewayTools; it checks the agents' own tokens. */
  mcp?: (request: Request) => Promise<Response>;
  /** `GET /metrics`; absent when `metrics.enabled` is false. */
  metrics?: { source: GatewayMetrics; public: boolean };
}

interface PageChannel extends Channel {
  /** Channels that serve a page (web chat) at a path outside `/channels`. */
  pagePath?: string;
}

interface ApiChannel extends Channel {
  authorized(headers: Headers): boolean;
}

export function createFetchHandler(gateway: Gateway, options: HandlerOptions): FetchHandler {
  const ownPrefix = (options.prefix ?? "").replace(/\/+$/, "");

  const apiChannel = (): ApiChannel | undefined => {
    const channels = gateway.listChannels();
    const found = options.apiChannel ? channels.find((c) => c.id === options.apiChannel) : channels.find((c) => c.type === "http");
    return found as ApiChannel | undefined;
  };

  const route = async (request: Request, path: string): Promise<Response> => {
    if (path === "/healthz") return json({ status: "ok" });
    if (path === "/readyz") {
      return gateway.running ? json({ status: "ready", ...gateway.stats }) : json({ status: "not ready" }, 503);
    }
    if (path === "/metrics") {
      if (!options.metrics) return errorResponse(404, "metrics are off (metrics.enabled: false)");
      return handleMetrics(options.metrics.source, request, { adminToken: options.adminToken, public: options.metrics.public });
    }
    if (path === "/mcp") return options.mcp ? options.mcp(request) : errorResponse(404, "no MCP server: no agent has gatewayTools");
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "channels" && parts[1]) {
      const channel = gateway.getChannel(decodeURIComponent(parts[1]));
      if (!channel?.handleRequest) return errorResponse(404, `no webhook channel "${parts[1]}"`);
      return channel.handleRequest({ request, subpath: "/" + parts.slice(2).join("/"), bodyLimit: options.bodyLimit });
    }
    if (parts[0] === "v1" && parts[1] !== undefined && managementSegments.has(parts[1])) {
      const refusal = adminRefusal(request.headers, options.adminToken);
      if (refusal) return refusal;
      if (parts[1] === "sessions") return handleSessions(gateway, request, parts.slice(2));
      if (parts[1] === "pairing") return handlePairing(gateway, request, parts.slice(2));
      if (parts[1] === "channels") return handleChannels(options.channels, request, parts.slice(2), options.bodyLimit);
      if (parts[1] === "schedules") return handleSchedules(options.schedules, request, parts.slice(2), options.bodyLimit);
      return errorResponse(404, `no route ${request.method} ${path}`);
    }
    if (parts[0] === "v1" && parts[1] === "messages" && parts[2] === "outbound" && parts.length === 3) {
      // Sending first reaches anyone the channels can reach: an operator's act, not an API caller's.
      const refusal = adminRefusal(request.headers, options.adminToken);
      if (refusal) return refusal;
      return handleOutbound(gateway, request, options.bodyLimit);
    }
    if (parts[0] === "v1") {
      const api = apiChannel();
      if (!api?.handleRequest) return errorResponse(404, "the /v1 API needs a channel of type http");
      if (parts[1] === "messages" && parts.length === 2) return api.handleRequest({ request, subpath: "/messages", bodyLimit: options.bodyLimit });
      if (parts[1] === "subagents" && parts[3] === "messages" && parts.length === 4) {
        return api.handleRequest({ request, subpath: `/subagents/${parts[2]}/messages`, bodyLimit: options.bodyLimit });
      }
      if (!api.authorized(request.headers)) return errorResponse(401, "missing or wrong API key (send Authorization: Bearer <key>)");
      return errorResponse(404, `no route ${request.method} ${path}`);
    }
    for (const channel of gateway.listChannels() as PageChannel[]) {
      if (channel.pagePath !== undefined && channel.handleRequest && (path === channel.pagePath || path === channel.pagePath + "/")) {
        return channel.handleRequest({ request, subpath: "/page", bodyLimit: options.bodyLimit });
      }
    }
    return errorResponse(404, `no route ${request.method} ${path}`);
  };

  return async (request, context) => {
    const prefix = (context?.mountPath ?? "") + ownPrefix;
    try {
      let path = new URL(request.url).pathname;
      if (prefix) {
        if (path !== prefix && !path.startsWith(prefix + "/")) return errorResponse(404, `no route ${request.method} ${path}`);
        path = path.slice(prefix.length) || "/";
      }
      return await route(request, path);
    } catch (error) {
      // decodeURIComponent of a path segment like `%E0%A4%A`: the caller's mistake, not ours.
      if (error instanceof URIError) return errorResponse(400, "malformed percent-encoding in the URL path");
      if (error instanceof SwitchboardError && error.status < 500) return errorResponse(error.status, error.message);
      if (error instanceof SwitchboardError && error.status === 503) return errorResponse(503, error.message);
      // Anything else is our bug: log it in full, tell the caller nothing about internals.
      gateway.log.error("request failed", { method: request.method, url: new URL(request.url).pathname, error });
      return errorResponse(500, "internal error");
    }
  };
}
