/**
 * The `whatsapp` entry of the config file, and the channel built from it. The lead wires the
 * schema into src/config/schema.ts and the factory into src/channels/from-config.ts.
 */
import { z } from "zod";
import type { Channel } from "../../core/channel.ts";
import { boolean, integer } from "../../config/coerce.ts";
import { agentSettingsSchema, threadStrategy, accessSchema } from "../../config/fields.ts";
import { createWhatsAppChannel } from "./index.ts";

export const whatsappChannelSchema = z
  .strictObject({
    type: z.literal("whatsapp"),
    /** The business number's Phone number ID (WhatsApp Manager → API Setup), not the phone number itself. */
    phoneNumberId: z.string().regex(/^\d+$/, "the numeric Phone number ID from WhatsApp Manager → API Setup (not the phone number)"),
    /** A System User access token with whatsapp_business_messaging, e.g. "${WHATSAPP_TOKEN}". */
    accessToken: z.string().min(1),
    /** The Meta app's App secret (App settings → Basic): verifies X-Hub-Signature-256 on every webhook POST. */
    appSecret: z.string().min(1),
    /** A random string you choose and also enter as the webhook's Verify token; Meta sends it in the verification GET. */
    verifyToken: z.string().min(8, "use a random string of at least 8 characters"),
    /** Graph API base URL; the emulator's URL to try it locally. */
    apiUrl: z.url().default("https://graph.facebook.com"),
    /** Graph API version used in every call. */
    apiVersion: z.string().regex(/^v\d+\.\d+$/, "a Graph API version like v23.0").default("v23.0"),
    /** An approved template sent (once) instead of a reply when the 24-hour customer-service window has closed; without it such replies fail. */
    templateOnWindowClosed: z
      .strictObject({
        /** The template's name in WhatsApp Manager. */
        name: z.string().min(1),
        /** Its language code, as approved (en_US, de, pt_BR…). */
        language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "a language code like en_US or de").default("en_US"),
      })
      .optional(),
    /** Mark each accepted message read (blue ticks). */
    markRead: boolean.default(true),
    /** Show "typing…" while the agent works (up to 25 s, or until the reply). */
    typingIndicator: boolean.default(true),
    /** The sender's pace for this number; Meta's default throughput is 80 messages per second. */
    messagesPerSecond: integer(1, 1000).default(80),
    /** Answer only these numbers (wa_id: country code and number, digits only); others are ignored. */
    allowedSenders: z.array(z.string().regex(/^\+?\d{5,20}$/, "a phone number: country code and number, digits only")).optional(),
    /** Look up each media attachment's download URL (it needs the access token and expires in 5 minutes). */
    resolveMediaUrls: boolean.default(false),
    threadStrategy: threadStrategy.optional(),
    agentSettings: agentSettingsSchema.optional(),
    access: accessSchema.prefault({}),
    enabled: boolean.optional(),
  })
  .superRefine((whatsapp, ctx) => {
    if (whatsapp.verifyToken === whatsapp.appSecret) {
      ctx.addIssue({
        code: "custom",
        path: ["verifyToken"],
        message: "must differ from appSecret: Meta sends the verify token in a URL, where it can end up in logs; choose another random string",
      });
    }
    if (whatsapp.verifyToken === whatsapp.accessToken) {
      ctx.addIssue({ code: "custom", path: ["verifyToken"], message: "must differ from accessToken: choose another random string (it travels in a URL)" });
    }
  });

export type WhatsAppChannelConfig = z.output<typeof whatsappChannelSchema>;

export function whatsappChannelFromConfig(id: string, config: WhatsAppChannelConfig): Channel {
  return createWhatsAppChannel({
    id,
    phoneNumberId: config.phoneNumberId,
    accessToken: config.accessToken,
    appSecret: config.appSecret,
    verifyToken: config.verifyToken,
    apiUrl: config.apiUrl,
    apiVersion: config.apiVersion,
    ...(config.templateOnWindowClosed !== undefined ? { templateOnWindowClosed: config.templateOnWindowClosed } : {}),
    markRead: config.markRead,
    typingIndicator: config.typingIndicator,
    messagesPerSecond: config.messagesPerSecond,
    ...(config.allowedSenders !== undefined ? { allowedSenders: config.allowedSenders } : {}),
    resolveMediaUrls: config.resolveMediaUrls,
    ...(config.threadStrategy !== undefined ? { threadStrategy: config.threadStrategy } : {}),
  });
}
