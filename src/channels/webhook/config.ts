/**
 * The `webhook` channel's config entry (the lead wires it into src/config/schema.ts) and the
 * factory that builds the channel from it.
 */
import { z } from "zod";
import type { Channel } from "../../core/channel.ts";
import { boolean, integer } from "../../config/coerce.ts";
import { agentSettingsSchema, duration, threadStrategy, accessSchema } from "../../config/fields.ts";
import { createWebhookChannel } from "./index.ts";
import type { Vault } from "../../core/secrets/vault.ts";
import { DEFAULT_SIGNATURE_HEADER, DEFAULT_TIMESTAMP_HEADER, DEFAULT_TOLERANCE_MS } from "./signature.ts";

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, "a header name (letters, digits and dashes)");

export const webhookChannelSchema = z
  .strictObject({
    type: z.literal("webhook"),
    /** Where replies are POSTed, signed. Fixed in config: messages cannot name another URL (that would be an SSRF hole). */
    callbackUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
    /** HMAC signing of requests both ways: callers sign what they POST, the channel signs its callbacks. */
    signature: z.strictObject({
      /** The shared secret, at least 16 characters (e.g. `openssl rand -hex 32`); use "${WEBHOOK_SECRET}". */
      secret: z.string().min(16, "must be at least 16 characters (e.g. openssl rand -hex 32)"),
      /** The HMAC hash; the header value is `<algorithm>=<hex>`. */
      algorithm: z.enum(["sha256", "sha512"]).default("sha256"),
      /** Header carrying the signature. */
      header: headerName.default(DEFAULT_SIGNATURE_HEADER),
      /** Header carrying the Unix timestamp (seconds) that is signed with the body as `<timestamp>.<body>`. */
      timestampHeader: headerName.default(DEFAULT_TIMESTAMP_HEADER),
      /** Refuse signed requests without a timestamp (replay protection for every request, not just those that send one). */
      requireTimestamp: boolean.default(false),
      /** Largest accepted clock skew of the timestamp. */
      tolerance: duration.default(DEFAULT_TOLERANCE_MS),
    }),
    /** A channel key callers may send as `Authorization: Bearer <key>` instead of signing; at least 16 characters. */
    key: z.string().min(16, "must be at least 16 characters").optional(),
    /** Extra headers on every callback, e.g. the receiver's own `Authorization`. */
    callbackHeaders: z.record(headerName, z.string()).optional(),
    /** How long one callback may take before it counts as failed and is retried. */
    callbackTimeout: duration.default(10_000),
    /** Replies longer than this many characters are sent as several callbacks (never cut inside a code block). */
    maxMessageLength: integer(200, 1_000_000).default(32_000),
    /** `markdown`: the agent's markdown as is. `text`: plain text with the markup removed. */
    format: z.enum(["markdown", "text"]).default("markdown"),
    threadStrategy: threadStrategy.optional(),
    agentSettings: agentSettingsSchema.optional(),
    access: accessSchema.optional(),
    enabled: boolean.optional(),
  })
  .superRefine((webhook, ctx) => {
    if (webhook.key !== undefined && webhook.key === webhook.signature.secret) {
      ctx.addIssue({ code: "custom", path: ["key"], message: "must differ from signature.secret: the key travels in requests, the secret never does" });
    }
    const url = URL.parse(webhook.callbackUrl);
    if (url && (url.username !== "" || url.password !== "")) {
      ctx.addIssue({ code: "custom", path: ["callbackUrl"], message: "put credentials in callbackHeaders (e.g. Authorization), not in the URL: URLs end up in logs" });
    }
    if (webhook.signature.tolerance < 1_000) {
      ctx.addIssue({ code: "custom", path: ["signature", "tolerance"], message: "must be at least 1s (timestamps have one-second resolution); 5m is usual" });
    }
    const reserved = Object.keys(webhook.callbackHeaders ?? {}).filter((name) =>
      ["content-type", "idempotency-key", webhook.signature.header.toLowerCase(), webhook.signature.timestampHeader.toLowerCase()].includes(name.toLowerCase()),
    );
    if (reserved.length > 0) {
      ctx.addIssue({ code: "custom", path: ["callbackHeaders"], message: `${reserved.join(", ")} ${reserved.length > 1 ? "are" : "is"} set by the channel; remove ${reserved.length > 1 ? "them" : "it"}` });
    }
  });

export type WebhookChannelConfig = z.output<typeof webhookChannelSchema>;

export function webhookChannelFromConfig(id: string, config: WebhookChannelConfig, vault?: Vault): Channel {
  return createWebhookChannel({
    id,
    ...(vault ? { vault } : {}),
    callbackUrl: config.callbackUrl,
    signature: {
      secret: config.signature.secret,
      algorithm: config.signature.algorithm,
      header: config.signature.header,
      timestampHeader: config.signature.timestampHeader,
      requireTimestamp: config.signature.requireTimestamp,
      toleranceMs: config.signature.tolerance,
    },
    ...(config.key !== undefined ? { key: config.key } : {}),
    ...(config.callbackHeaders !== undefined ? { callbackHeaders: config.callbackHeaders } : {}),
    callbackTimeoutMs: config.callbackTimeout,
    maxMessageLength: config.maxMessageLength,
    format: config.format,
    ...(config.threadStrategy !== undefined ? { threadStrategy: config.threadStrategy } : {}),
  });
}
