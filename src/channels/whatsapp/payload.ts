/**
 * The WhatsApp Cloud API webhook payload, parsed at the edge with zod. Only what the channel reads
 * is declared; everything else Meta adds is kept (loose objects) and ignored, so a new field in a
 * later Graph API version never makes a delivery fail.
 */
import { z } from "zod";

const media = z.looseObject({
  id: z.string(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  animated: z.boolean().optional(),
  voice: z.boolean().optional(),
});

const reply = z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() });

export const waMessage = z.looseObject({
  from: z.string(),
  id: z.string(),
  timestamp: z.string(),
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: media.optional(),
  audio: media.optional(),
  video: media.optional(),
  document: media.optional(),
  sticker: media.optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: reply.optional(),
      list_reply: reply.optional(),
    })
    .optional(),
  button: z.looseObject({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  /** Set when the user replied to (quoted) an earlier message. */
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  errors: z.array(z.looseObject({ code: z.number(), title: z.string().optional() })).optional(),
});
export type WaMessage = z.infer<typeof waMessage>;

export const waStatus = z.looseObject({
  id: z.string(),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.number(), title: z.string().optional(), message: z.string().optional() })).optional(),
});
export type WaStatus = z.infer<typeof waStatus>;

const contact = z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string().optional() }).optional() });

export const waChangeValue = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ phone_number_id: z.string(), display_phone_number: z.string().optional() }),
  contacts: z.array(contact).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});
export type WaChangeValue = z.infer<typeof waChangeValue>;

export const waWebhook = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })),
    }),
  ),
});
export type WaWebhook = z.infer<typeof waWebhook>;
