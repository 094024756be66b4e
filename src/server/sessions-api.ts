/**
 * `GET /v1/sessions` and `GET /v1/sessions/:id`: sessions and their transcripts, for operators
 * and API clients. Guarded by the admin token (see admin-auth.ts), not the API channel's key.
 */
import type { Gateway } from "../core/gateway.ts";
import { errorResponse, json } from "../core/http-io.ts";

export async function handleSessions(gateway: Gateway, request: Request, rest: string[]): Promise<Response> {
  const url = new URL(request.url);
  if (rest.length === 0) {
    if (request.method !== "GET") return errorResponse(405, "use GET to list sessions");
    const limit = clampInt(url.searchParams.get("limit"), 100, 1, 1000);
    const offset = clampInt(url.searchParams.get("offset"), 0, 0, Number.MAX_SAFE_INTEGER);
    const status = url.searchParams.get("status");
    const sessions = await gateway.store.listSessions({
      channel: url.searchParams.get("channel") ?? undefined,
      agent: url.searchParams.get("agent") ?? undefined,
      userId: url.searchParams.get("user") ?? undefined,
      status: status === "active" || status === "ended" ? status : undefined,
      limit,
      offset,
    });
    return json({ sessions });
  }
  const [id, action] = rest;
  const session = await gateway.store.getSession(decodeURIComponent(id!));
  if (!session) return errorResponse(404, `no session "${id}"`);
  if (action === undefined && request.method === "GET") {
    return json({ session, transcript: await gateway.store.getTranscript(session.id), subagents: await gateway.store.listExposures(session.id) });
  }
  if (action === "reset" && request.method === "POST") {
    await gateway.store.resetSession(session.id, Date.now());
    return json({ session: await gateway.store.getSession(session.id) });
  }
  return errorResponse(404, `no route ${request.method} /v1/sessions/${rest.join("/")}`);
}

function clampInt(value: string | null, fallback: number, min: number, max: number): number {
  const n = value === null ? fallback : Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
