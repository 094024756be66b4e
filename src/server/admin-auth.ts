/**
 * The admin token check for the management API (`/v1/sessions`, `/v1/pairing`, and the
 * `/v1/channels` and `/v1/schedules` to come). It is separate from the http channel's key: that key
 * lets a caller talk to agents, the admin token lets an operator read every conversation.
 */
import { errorResponse, secretsEqual } from "../core/http-io.ts";

/** The `/v1/<segment>` routes that only an operator may call. */
export const managementSegments: ReadonlySet<string> = new Set(["sessions", "pairing", "channels", "schedules"]);

const howToGetOne = "switchboard admin-token --show prints it (switchboard start keeps it in .switchboard/admin-token next to the config file)";

/** A refusal for a management request, or undefined when the request may go on. */
export function adminRefusal(headers: Headers, adminToken: string | undefined): Response | undefined {
  // No token means no management API: it is off, not open.
  if (adminToken === undefined) {
    return errorResponse(403, "the management API is off: no admin token is configured (set admin.token in the config, or run switchboard start, which creates one)");
  }
  const given = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (given !== undefined && secretsEqual(given, adminToken)) return undefined;
  const response = errorResponse(401, `${given === undefined ? "missing" : "wrong"} admin token: send Authorization: Bearer <admin token>; ${howToGetOne}`);
  response.headers.set("www-authenticate", 'Bearer realm="switchboard admin"');
  return response;
}
