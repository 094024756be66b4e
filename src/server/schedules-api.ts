/**
 * Schedules and sending first, for operators (admin token):
 * - `GET /v1/schedules`, `GET /v1/schedules/<name>`: next run, last result, paused, backoff.
 * - `GET /v1/schedules/<name>/runs`: its recent runs (started, finished, delivered, failed, skipped).
 * - `POST /v1/schedules` `{name?, cron|at|every, timezone?, agent, instruction | text, target: {channel, to}}`.
 * - `DELETE /v1/schedules/<name>`: one made through the API (the YAML's stay).
 * - `POST /v1/schedules/<name>/run-now`, `/pause`, `/resume`.
 * - `POST /v1/messages/outbound` `{channel, to, text, id?}`: one message sent first, delivered by the outbox.
 */
import type { Gateway } from "../core/gateway.ts";
import { errorResponse, json, readJson } from "../core/http-io.ts";
import { RequestError } from "../core/errors.ts";
import { sendFirst } from "../core/proactive.ts";
import type { ScheduleService } from "../core/schedules/service.ts";

export async function handleSchedules(schedules: ScheduleService | undefined, request: Request, rest: string[], bodyLimit: number): Promise<Response> {
  if (!schedules) return errorResponse(404, "schedules are not available on this gateway");
  const [name, action] = rest.map((part) => decodeURIComponent(part));
  const method = request.method;
  if (name === undefined) {
    if (method === "GET") return json({ schedules: await schedules.list() });
    if (method !== "POST") return errorResponse(405, "use GET to list schedules or POST to create one");
    return json(await schedules.create(await readJson(request, bodyLimit), "admin:api"), 201);
  }
  if (action === undefined) {
    if (method === "GET") return json(await schedules.get(name));
    if (method === "DELETE") {
      await schedules.remove(name, "admin:api");
      return new Response(null, { status: 204 });
    }
    return errorResponse(405, "use GET or DELETE on a schedule");
  }
  if (action === "runs" && method === "GET") {
    await schedules.get(name);
    return json({ runs: await schedules.runs(name) });
  }
  if (method !== "POST") return errorResponse(405, `use POST for ${action}`);
  switch (action) {
    case "run-now":
      return json({ schedule: name, slot: await schedules.scheduler.runNow(name) }, 202);
    case "pause":
      return json({ schedule: name, ...(await schedules.scheduler.pause(name)) });
    case "resume":
      return json({ schedule: name, ...(await schedules.scheduler.resume(name)) });
    default:
      return errorResponse(404, `no route ${method} /v1/schedules/${rest.join("/")}`);
  }
}

export async function handleOutbound(gateway: Gateway, request: Request, bodyLimit: number): Promise<Response> {
  if (request.method !== "POST") return errorResponse(405, "use POST to send a message first");
  const body = await readJson(request, bodyLimit);
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new RequestError(400, 'send {"channel", "to", "text"}');
  const { channel, to, text, id } = body as Record<string, unknown>;
  for (const [field, value] of Object.entries({ channel, to, text })) if (typeof value !== "string") throw new RequestError(400, `${field}: a string is required`);
  if (id !== undefined && typeof id !== "string") throw new RequestError(400, "id: a string");
  const result = await sendFirst(gateway, { channel: channel as string, to: to as string, text: text as string, by: "admin:api", ...(id !== undefined ? { id } : {}) });
  return json({ status: result.status, messageId: result.messageId, session: result.sessionId, to: { conversation: result.to.conversation, ...(result.to.thread !== undefined ? { thread: result.to.thread } : {}) } }, 202);
}
