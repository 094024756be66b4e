/**
 * `GET /metrics`: the Prometheus exposition of the gateway and its process. Counters name
 * channels and agents and show traffic, so it wants the admin token (Prometheus sends it with
 * `authorization: {credentials: …}` or `bearer_token_file` in its scrape config) unless the
 * config says `metrics: { public: true }`.
 */
import { errorResponse } from "../core/http-io.ts";
import type { GatewayMetrics } from "../core/metrics/index.ts";
import { adminRefusal } from "./admin-auth.ts";

export interface MetricsAccess {
  /** The admin token; without one, /metrics is served only when public. */
  adminToken: string | undefined;
  /** `metrics.public`: anyone who reaches the port may scrape. */
  public: boolean;
}

export async function handleMetrics(metrics: Pick<GatewayMetrics, "render">, request: Request, access: MetricsAccess): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    const response = errorResponse(405, `use GET to scrape /metrics, not ${request.method}`);
    response.headers.set("allow", "GET, HEAD");
    return response;
  }
  if (!access.public) {
    if (access.adminToken === undefined) {
      return errorResponse(403, "/metrics needs the admin token and none is configured: set admin.token (or run switchboard start, which creates one), or set metrics.public: true");
    }
    const refusal = adminRefusal(request.headers, access.adminToken);
    if (refusal) return refusal;
  }
  const { contentType, body } = await metrics.render();
  return new Response(request.method === "HEAD" ? null : body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}
