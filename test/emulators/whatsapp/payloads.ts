/**
 * Webhook payloads as the WhatsApp Cloud API sends them: `whatsapp_business_account` objects with
 * `entry[].changes[].value` holding `metadata`, `contacts` and `messages`, or `statuses`.
 */
import { randomBytes } from "node:crypto";

export interface BusinessIds {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

/** A message id in Meta's shape: `wamid.` + base64 of an opaque id. */
export function wamid(): string {
  return `wamid.${Buffer.concat([Buffer.from("HBgL"), randomBytes(24)]).toString("base64")}`;
}

/** What a user can send, as the `type` plus its type-named object (e.g. `{type: "image", image: {...}}`). */
export type MessageContent = { type: string } & Record<string, unknown>;

export function textContent(body: string): MessageContent {
  return { type: "text", text: { body } };
}

export function messageObject(opts: { from: string; id: string; timestampMs: number; content: MessageContent; context?: { from: string; id: string } }): Record<string, unknown> {
  return {
    from: opts.from,
    id: opts.id,
    timestamp: String(Math.floor(opts.timestampMs / 1000)),
    ...(opts.context ? { context: opts.context } : {}),
    ...opts.content,
  };
}

function envelope(ids: BusinessIds, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: ids.wabaId,
        changes: [
          {
            value: { messaging_product: "whatsapp", metadata: { display_phone_number: ids.displayPhoneNumber, phone_number_id: ids.phoneNumberId }, ...value },
            field: "messages",
          },
        ],
      },
    ],
  };
}

/** One or more user messages in one delivery (Meta batches under load). */
export function messagesPayload(ids: BusinessIds, messages: Array<{ name: string; message: Record<string, unknown> }>): Record<string, unknown> {
  const contacts = new Map<string, string>();
  for (const m of messages) contacts.set(String(m.message.from), m.name);
  return envelope(ids, {
    contacts: [...contacts].map(([waId, name]) => ({ profile: { name }, wa_id: waId })),
    messages: messages.map((m) => m.message),
  });
}

/** A delivery status of a message the business sent: sent, delivered, read or failed. */
export function statusPayload(ids: BusinessIds, status: { id: string; status: string; recipient: string; timestampMs: number; errors?: unknown[] }): Record<string, unknown> {
  return envelope(ids, {
    statuses: [
      {
        id: status.id,
        status: status.status,
        timestamp: String(Math.floor(status.timestampMs / 1000)),
        recipient_id: status.recipient,
        ...(status.errors ? { errors: status.errors } : {}),
      },
    ],
  });
}
