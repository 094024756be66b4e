/**
 * The generic webhook's wire format: the JSON a caller POSTs (validated with zod, so a mistake
 * gets a 400 that names the field), the envelope built from it, and the reply reference that
 * carries what a callback must echo (the caller's message id, the conversation kind, the
 * caller's metadata) from the accept to the outbox.
 */
import { z } from "zod";
import type { ConversationKind, Envelope } from "../../core/envelope.ts";
import { makeEnvelope } from "../../core/envelope.ts";

/** Metadata is echoed in every callback, so it is kept small. */
export const MAX_METADATA_BYTES = 4_096;

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const inboundMessageSchema = z
  .strictObject({
    id: z.string().min(1).max(200),
    user: z.strictObject({
      id: z.string().min(1).max(200),
      name: z.string().max(200).optional(),
      email: z.email().optional(),
    }),
    text: z.string().max(100_000).default(""),
    conversation: z
      .strictObject({
        id: z.string().min(1).max(200),
        kind: z.enum(["dm", "group"]).optional(),
      })
      .optional(),
    thread: z.string().min(1).max(200).optional(),
    attachments: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(500),
          mimeType: z.string().max(200).optional(),
          size: z.number().int().nonnegative().optional(),
          url: httpUrl.optional(),
        }),
      )
      .max(50)
      .default([]),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES, `must be at most ${MAX_METADATA_BYTES} bytes of JSON`)
      .optional(),
  })
  .refine((message) => message.text.trim() !== "" || message.attachments.length > 0, { message: "give a non-empty text (or attachments)", path: ["text"] });

export type InboundMessage = z.output<typeof inboundMessageSchema>;

/** What the reply's callback needs from the message it answers; stored as the envelope's `replyRef`. */
export interface ReplyReference {
  inReplyTo: string;
  kind: ConversationKind;
  metadata?: Record<string, unknown>;
}

/** Parse a request body; the error lists every problem as `path: message`. */
export function parseInboundMessage(body: unknown): { ok: true; message: InboundMessage } | { ok: false; error: string } {
  const result = inboundMessageSchema.safeParse(body);
  if (result.success) return { ok: true, message: result.data };
  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "body"}: ${issue.message}`);
  return { ok: false, error: `invalid message: ${problems.join("; ")}` };
}

/**
 * Without a conversation the message is a DM with its user; a conversation given without a
 * kind is a group, since a caller that names a room usually has several people in it.
 */
export function toEnvelope(channel: string, source: string, message: InboundMessage): Envelope {
  const kind: ConversationKind = message.conversation ? (message.conversation.kind ?? "group") : "dm";
  const reference: ReplyReference = { inReplyTo: message.id, kind, ...(message.metadata !== undefined ? { metadata: message.metadata } : {}) };
  return makeEnvelope({
    channel,
    source,
    eventId: message.id,
    conversation: { id: message.conversation?.id ?? message.user.id, kind },
    ...(message.thread !== undefined ? { thread: message.thread } : {}),
    sender: {
      id: message.user.id,
      ...(message.user.name !== undefined ? { name: message.user.name } : {}),
      ...(message.user.email !== undefined ? { email: message.user.email } : {}),
    },
    text: message.text,
    attachments: message.attachments,
    replyRef: JSON.stringify(reference),
    raw: message,
  });
}

/** The reference back from `Address.ref`; a missing or foreign one still yields a usable callback. */
export function readReplyReference(ref: string | undefined): ReplyReference | undefined {
  if (ref === undefined) return undefined;
  try {
    const value = JSON.parse(ref) as Partial<ReplyReference> | null;
    if (typeof value?.inReplyTo !== "string") return undefined;
    return {
      inReplyTo: value.inReplyTo,
      kind: value.kind === "group" ? "group" : "dm",
      ...(value.metadata !== undefined && typeof value.metadata === "object" && value.metadata !== null ? { metadata: value.metadata } : {}),
    };
  } catch {
    return undefined;
  }
}
