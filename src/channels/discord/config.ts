/**
 * The `discord` entry of the config file, and the channel it builds. The lead wires
 * `discordChannelSchema` into the config schema and `discordChannelFromConfig` into from-config.
 */
import { z } from "zod";
import { agentSettingsSchema, duration, threadStrategy, accessSchema } from "../../config/fields.ts";
import { boolean } from "../../config/coerce.ts";
import type { Channel } from "../../core/channel.ts";
import { createDiscordChannel } from "./index.ts";

export const discordChannelSchema = z
  .strictObject({
    type: z.literal("discord"),
    /** The bot token (Developer Portal → your app → Bot → Reset Token), without "Bot " in front. */
    botToken: z.string().min(1).regex(/^\S+$/, 'the bare token, without "Bot " or spaces'),
    /** The application's public key (General Information → Public Key): enables slash commands over HTTP at /channels/<id>. */
    publicKey: z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hex characters (Developer Portal → General Information → Public Key)").optional(),
    /** The application id; read from the API when not given. */
    applicationId: z.string().regex(/^\d+$/, "a numeric snowflake id").optional(),
    /** Another API base URL, e.g. the emulator's `http://127.0.0.1:3230/api`. */
    apiUrl: z.string().url().optional(),
    /** Connect to the gateway for DMs and @mentions (needs the Message Content intent). */
    gateway: boolean.default(true),
    /** In servers, answer only @mentions, replies to the bot, and threads the bot is engaged in. DMs are always answered. */
    requireMention: boolean.default(true),
    /** Answer only in these servers (guild ids); DMs are not affected. */
    allowedGuildIds: z.array(z.string().regex(/^\d+$/, "a numeric guild id")).optional(),
    /** The slash command to answer: `/ask prompt:<text>` by default. */
    commandName: z.string().regex(/^[-_\p{L}\p{N}]{1,32}$/u, "1–32 lowercase letters, digits, - or _").default("ask"),
    /** Create or update the slash command on start. */
    registerCommand: boolean.default(true),
    /** `edit`: stream a reply by editing one message; `off`: post it when done. */
    streaming: z.enum(["edit", "off"]).default("edit"),
    /** Least time between two edits of a streaming message. */
    editInterval: duration.default(1000),
    /** Rate-limit waits up to this long are waited out in place; longer ones go back to the durable outbox. */
    rateLimitWait: duration.default(2000),
    threadStrategy: threadStrategy.optional(),
    agentSettings: agentSettingsSchema.optional(),
    access: accessSchema.prefault({}),
    enabled: boolean.optional(),
  })
  .superRefine((discord, ctx) => {
    if (!discord.gateway && discord.publicKey === undefined) {
      ctx.addIssue({ code: "custom", path: ["publicKey"], message: "required when gateway is false (otherwise the channel hears nothing): set publicKey, or gateway: true" });
    }
    if (discord.commandName !== discord.commandName.toLowerCase()) {
      ctx.addIssue({ code: "custom", path: ["commandName"], message: "slash command names are lowercase on Discord" });
    }
  });

export function discordChannelFromConfig(id: string, config: z.output<typeof discordChannelSchema>): Channel {
  return createDiscordChannel({
    id,
    botToken: config.botToken,
    publicKey: config.publicKey,
    applicationId: config.applicationId,
    apiUrl: config.apiUrl,
    gateway: config.gateway,
    requireMention: config.requireMention,
    allowedGuildIds: config.allowedGuildIds,
    commandName: config.commandName,
    registerCommand: config.registerCommand,
    streaming: config.streaming,
    editIntervalMs: config.editInterval,
    maxRateLimitWaitMs: config.rateLimitWait,
    threadStrategy: config.threadStrategy,
  });
}
