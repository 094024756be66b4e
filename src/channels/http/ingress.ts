/**
 * Ingress of the HTTP API: the body of `POST /v1/messages` (and of a WebSocket `message`
 * frame) parsed and checked at the edge, then turned into an envelope.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Envelope } from "../../core/envelope.ts";
import { makeEnvelope } from "../../core/envelope.ts";
import { parseRequest } from "../../core/validate.ts";

export const apiMessageSchema = z.strictObject({
  user: z.string().min(1).max(256),
  text: z.string().min(1).max(100_000),
  /** Continue this session (it must be the user's own). */
  session: z.string().min(1).max(256).optional(),
  /** Route to this agent instead of what the rules say. */
  agent: z.string().min(1).max(128).optional(),
  /** The caller's idempotency key: the same id twice yields one turn and one reply. */
  id: z.string().min(1).max(256).optional(),
  name: z.string().max(256).optional(),
  email: z.string().max(320).optional(),
  /** A conversation (room) id when several users talk in one room; defaults to a DM with the user. */
  conversation: z.string().min(1).max(256).optional(),
  thread: z.string().min(1).max(256).optional(),
});

export type ApiMessage = z.infer<typeof apiMessageSchema>;

/** A message straight to an exposed sub-agent: the session and agent come from the exposure. */
export const subagentMessageSchema = apiMessageSchema.pick({ user: true, text: true, id: true, name: true, email: true });

export function parseSubagentMessage(body: unknown): Omit<ApiMessage, "session" | "agent" | "conversation" | "thread"> {
  return parseRequest(subagentMessageSchema, body);
}

export function parseApiMessage(body: unknown): ApiMessage {
  return parseRequest(apiMessageSchema, body);
}

export function apiEnvelope(channel: { id: string; type: string }, message: ApiMessage): Envelope {
  return makeEnvelope({
    channel: channel.id,
    source: channel.type,
    eventId: message.id ?? randomUUID(),
    sender: { id: message.user, name: message.name, email: message.email },
    text: message.text,
    conversation: message.conversation ? { id: message.conversation, kind: "group" } : { id: message.user, kind: "dm" },
    thread: message.thread,
    hints: { session: message.session, agent: message.agent },
    raw: message,
  });
}
