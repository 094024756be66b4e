/**
 * Pairing for operators: `GET /v1/pairing` lists the pending codes (`?channel=` narrows it),
 * `POST /v1/pairing/<channel>/<code>/approve` lets that code's sender in, and
 * `DELETE /v1/pairing/<channel>/senders/<sender id>` withdraws an approval. Guarded by the admin
 * token (see admin-auth.ts), not the API channel's key. The CLI does the same: `switchboard pairing …`.
 */
import type { Gateway } from "../core/gateway.ts";
import { errorResponse, json } from "../core/http-io.ts";
import { normalizePairingCode } from "../core/access/pairing-code.ts";

export async function handlePairing(gateway: Gateway, request: Request, rest: string[]): Promise<Response> {
  const store = gateway.store;
  const [channel, second, third] = rest.map((part) => decodeURIComponent(part));
  if (rest.length === 0) {
    if (request.method !== "GET") return errorResponse(405, "use GET to list pairing requests");
    const only = new URL(request.url).searchParams.get("channel") ?? undefined;
    return json({ requests: await store.listPairingRequests(only, Date.now()) });
  }
  if (rest.length === 3 && third === "approve") {
    if (request.method !== "POST") return errorResponse(405, "use POST to approve a pairing code");
    if (!gateway.getChannel(channel!)) return errorResponse(404, `no channel "${channel}"`);
    const approved = await store.approvePairing(channel!, normalizePairingCode(second!), Date.now());
    if (!approved) return errorResponse(404, `no pending pairing code "${second}" on channel "${channel}" (wrong, already used, or expired after an hour)`);
    gateway.log.info("pairing approved", { channel: approved.channel, sender: approved.senderId, via: "api" });
    gateway.audit.record({ kind: "pairing.approved", channel: approved.channel, actor: "admin:api", subject: approved.senderId });
    return json({ approved: { channel: approved.channel, senderId: approved.senderId, senderName: approved.senderName ?? null } });
  }
  if (rest.length === 3 && second === "senders") {
    if (request.method !== "DELETE") return errorResponse(405, "use DELETE to withdraw an approval");
    const revoked = await store.revokeSender(channel!, third!);
    if (!revoked) return errorResponse(404, `sender "${third}" is not approved on channel "${channel}"`);
    gateway.log.info("pairing approval withdrawn", { channel, sender: third, via: "api" });
    gateway.audit.record({ kind: "pairing.revoked", channel: channel!, actor: "admin:api", subject: third! });
    return json({ revoked: { channel, senderId: third } });
  }
  return errorResponse(404, `no route ${request.method} /v1/pairing/${rest.join("/")}`);
}
