/**
 * Channels for operators, guarded by the admin token:
 * - `GET /v1/channels`, `GET /v1/channels/<id>`: every channel, secrets as `••••`; YAML ones read-only.
 * - `POST /v1/channels` `{id, type, …}`: create a stored channel; it starts within a moment.
 * - `PUT /v1/channels/<id>` (optionally `If-Match: <version>`): replace its config; `••••` keeps a secret.
 * - `PATCH /v1/channels/<id>` `{enabled}`: enable or disable it.
 * - `DELETE /v1/channels/<id>`: stop and delete it.
 * - `POST /v1/channels/<id>/key` `{rotate?, grace?}`: a new channel key, shown in this answer only.
 */
import { errorResponse, json, readJson } from "../core/http-io.ts";
import { RequestError } from "../core/errors.ts";
import { parseDuration } from "../config/duration.ts";
import type { ChannelAdmin } from "../channels/stored/admin.ts";

export async function handleChannels(admin: ChannelAdmin | undefined, request: Request, rest: string[], bodyLimit: number): Promise<Response> {
  if (!admin) return errorResponse(404, "channel management is not available on a gateway mounted without its config");
  const [id, action] = rest.map((part) => decodeURIComponent(part));
  const method = request.method;
  if (id === undefined) {
    if (method === "GET") return json({ channels: await admin.list() });
    if (method !== "POST") return errorResponse(405, "use GET to list channels or POST to create one");
    const body = object(await readJson(request, bodyLimit));
    const { id: newId, ...config } = body;
    if (typeof newId !== "string") throw new RequestError(400, 'give the new channel an "id"');
    return json(await admin.create(newId, config), 201);
  }
  if (action === "key" && rest.length === 2) {
    if (method !== "POST") return errorResponse(405, "use POST to make a channel key");
    // An empty body is a first key with the defaults.
    const body = request.headers.get("content-length") === "0" || !request.headers.get("content-type") ? {} : object(await readJson(request, bodyLimit));
    const graceMs = body["grace"] === undefined ? 3_600_000 : parseDuration(String(body["grace"]));
    if (graceMs === undefined) throw new RequestError(400, `grace: "${String(body["grace"])}" is not a duration (e.g. 30m, 1h, 0)`);
    const issued = await admin.issueKey(id, { rotate: body["rotate"] === true, graceMs });
    return json({ channel: id, key: issued.key, previousKeysExpireAt: issued.previousExpireAt ?? null }, 201);
  }
  if (rest.length !== 1) return errorResponse(404, `no route ${method} /v1/channels/${rest.join("/")}`);
  switch (method) {
    case "GET":
      return json(await admin.get(id));
    case "PUT":
      return json(await admin.update(id, await readJson(request, bodyLimit), ifMatch(request)));
    case "PATCH": {
      const enabled = object(await readJson(request, bodyLimit))["enabled"];
      if (typeof enabled !== "boolean") throw new RequestError(400, 'PATCH takes {"enabled": true|false}; use PUT to change the config');
      return json(await admin.setEnabled(id, enabled));
    }
    case "DELETE":
      await admin.remove(id);
      return new Response(null, { status: 204 });
    default:
      return errorResponse(405, `${method} is not allowed on a channel`);
  }
}

function object(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new RequestError(400, "the body must be a JSON object");
  return value as Record<string, unknown>;
}

/** `If-Match: 3` or `If-Match: "3"`: the version the edit was made from. */
function ifMatch(request: Request): number | undefined {
  const header = request.headers.get("if-match");
  if (header === null) return undefined;
  const version = Number(header.replace(/^W\//, "").replace(/"/g, ""));
  if (!Number.isInteger(version) || version < 1) throw new RequestError(400, `If-Match: "${header}" is not a channel version`);
  return version;
}
