/**
 * Ingress of the web chat: the browser's `POST /messages` body and `GET /history` query,
 * checked at the edge, and the envelope a message becomes. The browser's random client id is
 * the sender, so every browser is its own user with its own session.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Envelope } from "../../core/envelope.ts";
import { makeEnvelope } from "../../core/envelope.ts";
import { parseRequest } from "../../core/validate.ts";

const clientId = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, "must be 8 to 128 characters of A-Z, a-z, 0-9, _ and -");
const subagentId = z.string().min(1).max(256);

export const webchatMessageSchema = z.strictObject({
  /** The id the browser generated once and keeps in localStorage. */
  client: clientId,
  text: z.string().min(1).max(20_000),
  /** The browser's idempotency key for this message: a resend yields one turn and one reply. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1 to 128 characters of A-Z, a-z, 0-9, _ and -").optional(),
  /** An exposed sub-agent to talk to directly (its tab), instead of the browser's own conversation. */
  subagent: subagentId.optional(),
});

export const historyQuerySchema = z.strictObject({
  client: clientId,
  session: z.string().min(1).max(256),
  /** The sub-agent whose session this is, when it is not the browser's own conversation. */
  subagent: subagentId.optional(),
});

export type WebchatMessage = z.infer<typeof webchatMessageSchema>;
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export function parseWebchatMessage(body: unknown): WebchatMessage {
  return parseRequest(webchatMessageSchema, body, "body");
}

export function parseHistoryQuery(params: URLSearchParams): HistoryQuery {
  return parseRequest(historyQuerySchema, Object.fromEntries(params), "query");
}

/** The sender id a browser's client id stands for. */
export function webchatSender(client: string): string {
  return `web:${client}`;
}

/** The envelope of a browser's message; `session` pins it to a sub-agent's session. */
export function webchatEnvelope(channel: { id: string; type: string }, message: WebchatMessage, session?: string): Envelope {
  const sender = webchatSender(message.client);
  return makeEnvelope({
    channel: channel.id,
    source: channel.type,
    // Scoped by client: a guessed id of someone else's message must never replay their reply.
    eventId: `${message.client}:${message.id ?? randomUUID()}`,
    sender: { id: sender },
    conversation: { id: sender, kind: "dm" },
    text: message.text,
    ...(session !== undefined && { hints: { session } }),
    raw: message,
  });
}
