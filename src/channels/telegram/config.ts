/** The `telegram` entry of the config file, and the channel built from it. */
import { z } from "zod";
import type { Channel } from "../../core/channel.ts";
import { boolean, integer } from "../../config/coerce.ts";
import { agentSettingsSchema, duration, threadStrategy, accessSchema } from "../../config/fields.ts";
import { createTelegramChannel } from "./index.ts";

export const telegramChannelSchema = z
  .strictObject({
    type: z.literal("telegram"),
    /** The bot token from @BotFather, `<bot id>:<secret>` (e.g. "${TELEGRAM_BOT_TOKEN}"). */
    botToken: z.string().regex(/^\d+:[\w-]{20,}$/, "must be a bot token from @BotFather (<digits>:<secret>)"),
    /** `polling` (default): long polling, no public URL; one poller per bot across gateways sharing a store. `webhook`: Telegram POSTs to /channels/<id>. */
    mode: z.enum(["polling", "webhook"]).default("polling"),
    /** Webhook mode: the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -). */
    secretToken: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "1-256 characters of A-Z, a-z, 0-9, _ and -").optional(),
    /** Webhook mode: call setWebhook on start with publicUrl + /channels/<id> and the secret token. */
    setWebhook: boolean.default(false),
    /** The gateway's public https base URL, e.g. https://bot.example.com (needed by setWebhook). */
    publicUrl: z.url().optional(),
    /** Another Bot API server: a self-hosted telegram-bot-api, or the emulator. */
    apiRoot: z.url().optional(),
    /** In groups, answer only when @mentioned, addressed by a /command@bot, or replied to (private chats are always answered). */
    requireMention: boolean.default(true),
    /** Answer only in these group chat ids (private chats are not affected). */
    allowedChatIds: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    /** Parse mode of replies: `markdownv2` or `html`. */
    format: z.enum(["markdownv2", "html"]).default("markdownv2"),
    /** `edit`: stream a reply by editing one message; `off`: send it when done. */
    streaming: z.enum(["edit", "off"]).default("edit"),
    /** Least time between two edits of a streaming message. */
    editInterval: duration.default(1000),
    /** Long-poll timeout: how long one getUpdates waits for news, in seconds (1-50). */
    pollTimeout: integer(1, 50).default(25),
    /** How long the single-poller lease lasts unrenewed: a standby gateway takes over this long after the poller crashed. */
    pollerLeaseTtl: duration.default(30_000),
    /** Show link previews under replies. */
    linkPreviews: boolean.default(false),
    threadStrategy: threadStrategy.optional(),
    agentSettings: agentSettingsSchema.optional(),
    access: accessSchema.prefault({}),
    enabled: boolean.optional(),
  })
  .superRefine((telegram, ctx) => {
    if (telegram.mode === "webhook" && telegram.secretToken === undefined) {
      ctx.addIssue({ code: "custom", path: ["secretToken"], message: "required when mode is webhook (choose a random string; it is given to setWebhook and checked on every POST)" });
    }
    if (telegram.setWebhook && telegram.mode !== "webhook") {
      ctx.addIssue({ code: "custom", path: ["setWebhook"], message: "only with mode: webhook (long polling deletes any webhook on start)" });
    }
    if (telegram.setWebhook && telegram.publicUrl === undefined) {
      ctx.addIssue({ code: "custom", path: ["publicUrl"], message: "required with setWebhook: the gateway's public https base URL, e.g. https://bot.example.com" });
    }
    if (telegram.pollerLeaseTtl < 3_000) {
      ctx.addIssue({ code: "custom", path: ["pollerLeaseTtl"], message: "at least 3s: the poller renews it every third of it" });
    }
  });

export function telegramChannelFromConfig(id: string, config: z.output<typeof telegramChannelSchema>): Channel {
  return createTelegramChannel({
    id,
    botToken: config.botToken,
    mode: config.mode,
    ...(config.secretToken !== undefined ? { secretToken: config.secretToken } : {}),
    setWebhook: config.setWebhook,
    ...(config.publicUrl !== undefined ? { publicUrl: config.publicUrl } : {}),
    ...(config.apiRoot !== undefined ? { apiRoot: config.apiRoot } : {}),
    requireMention: config.requireMention,
    ...(config.allowedChatIds !== undefined ? { allowedChatIds: config.allowedChatIds } : {}),
    format: config.format,
    streaming: config.streaming,
    editIntervalMs: config.editInterval,
    pollTimeoutSeconds: config.pollTimeout,
    pollerLeaseTtlMs: config.pollerLeaseTtl,
    linkPreviews: config.linkPreviews,
    ...(config.threadStrategy !== undefined ? { threadStrategy: config.threadStrategy } : {}),
  });
}
