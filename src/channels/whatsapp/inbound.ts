/**
 * From a parsed webhook to what the channel acts on: user messages (text, media, interactive
 * replies, template buttons, locations) in the order Meta sent them, delivery statuses, and what
 * was skipped and why. Pure: no I/O, so each message type is unit-tested from a payload.
 */
import type { Attachment } from "../../core/envelope.ts";
import { waChangeValue, waMessage, waStatus, type WaMessage, type WaStatus } from "./payload.ts";
import type { WaWebhook } from "./payload.ts";

export interface InboundMessage {
  /** The `wamid.…` id: Meta redelivers for days, so this is the dedupe key. */
  eventId: string;
  /** The user's WhatsApp id (their phone number without +). */
  from: string;
  name?: string;
  /** The business number the message was sent to. */
  phoneNumberId: string;
  /** When the user sent it (Meta's clock): the customer-service window opens here. */
  sentAtMs: number;
  text: string;
  attachments: Attachment[];
  /** The message the user replied to, when they quoted one. */
  inReplyTo?: string;
  type: string;
  raw: WaMessage;
}

export type WebhookItem =
  | { kind: "message"; message: InboundMessage }
  | { kind: "status"; status: WaStatus; phoneNumberId: string }
  | { kind: "skipped"; reason: string; id?: string; from?: string };

const mediaTypes = ["image", "audio", "video", "document", "sticker"] as const;
type MediaType = (typeof mediaTypes)[number];

/** Extensions for names of media that came without a file name. */
const extensions: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "application/pdf": "pdf",
};

/** Every message and status of a delivery, in order. Only `field: "messages"` changes carry them. */
export function webhookItems(body: WaWebhook): WebhookItem[] {
  const items: WebhookItem[] = [];
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") {
        items.push({ kind: "skipped", reason: `webhook field "${change.field}" is not handled` });
        continue;
      }
      const value = waChangeValue.safeParse(change.value);
      if (!value.success) {
        items.push({ kind: "skipped", reason: "a messages change without metadata.phone_number_id" });
        continue;
      }
      const { metadata, contacts = [], messages = [], statuses = [] } = value.data;
      const names = new Map(contacts.map((c) => [c.wa_id, c.profile?.name]));
      for (const candidate of messages) {
        const parsed = waMessage.safeParse(candidate);
        if (!parsed.success) {
          items.push({ kind: "skipped", reason: "a message without from, id, timestamp or type" });
          continue;
        }
        items.push(toItem(parsed.data, metadata.phone_number_id, names.get(parsed.data.from)));
      }
      for (const candidate of statuses) {
        const parsed = waStatus.safeParse(candidate);
        if (parsed.success) items.push({ kind: "status", status: parsed.data, phoneNumberId: metadata.phone_number_id });
      }
    }
  }
  return items;
}

function toItem(message: WaMessage, phoneNumberId: string, name: string | undefined): WebhookItem {
  const content = messageContent(message);
  if ("skip" in content) return { kind: "skipped", reason: content.skip, id: message.id, from: message.from };
  return {
    kind: "message",
    message: {
      eventId: message.id,
      from: message.from,
      ...(name ? { name } : {}),
      phoneNumberId,
      sentAtMs: Number(message.timestamp) * 1000 || Date.now(),
      text: content.text,
      attachments: content.attachments ?? [],
      ...(message.context?.id ? { inReplyTo: message.context.id } : {}),
      type: message.type,
      raw: message,
    },
  };
}

/** The text (and files) the agent sees for one message, or why it is not for the agent. */
export function messageContent(message: WaMessage): { text: string; attachments?: Attachment[] } | { skip: string } {
  switch (message.type) {
    case "text":
      return message.text ? { text: message.text.body } : { skip: "a text message without text" };
    case "interactive": {
      // A tapped reply button or list row: the title is what the user saw and "said".
      const choice = message.interactive?.button_reply ?? message.interactive?.list_reply;
      return choice ? { text: choice.title || choice.id } : { skip: `interactive reply of type "${message.interactive?.type ?? "?"}" is not handled` };
    }
    case "button": {
      const text = message.button?.text ?? message.button?.payload;
      return text ? { text } : { skip: "a template button reply without text" };
    }
    case "location": {
      const l = message.location;
      if (!l) return { skip: "a location message without a location" };
      const place = [l.name, l.address].filter(Boolean).join(", ");
      return { text: `[location] ${place ? `${place} ` : ""}(${l.latitude}, ${l.longitude})` };
    }
    default:
      if (isMedia(message.type)) return mediaContent(message, message.type);
      // reaction, contacts, order, system, unsupported (WhatsApp's own "not supported" marker), …
      return { skip: `message type "${message.type}" is not supported${message.errors?.[0] ? ` (code ${message.errors[0].code})` : ""}` };
  }
}

function isMedia(type: string): type is MediaType {
  return (mediaTypes as readonly string[]).includes(type);
}

function mediaContent(message: WaMessage, type: MediaType): { text: string; attachments: Attachment[] } | { skip: string } {
  const item = message[type];
  if (!item) return { skip: `a ${type} message without its ${type}` };
  const extension = item.mime_type ? extensions[item.mime_type.split(";")[0]!.trim()] : undefined;
  const attachment: Attachment = {
    name: item.filename ?? `${type}-${item.id}${extension ? `.${extension}` : ""}`,
    ...(item.mime_type ? { mimeType: item.mime_type } : {}),
  };
  // The agent always gets words: the caption, or what kind of file arrived.
  return { text: item.caption ?? `[${type}: ${attachment.name}]`, attachments: [attachment] };
}

/** The media id of a message's file, to resolve its download URL (GET /{media-id}). */
export function mediaId(message: WaMessage): string | undefined {
  return isMedia(message.type) ? message[message.type]?.id : undefined;
}
