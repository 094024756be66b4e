/** Builds channels from their config entries; each type lives in its own folder. */
import type { Channel } from "../core/channel.ts";
import type { ChannelConfig } from "../config/schema.ts";
import { createHttpChannel } from "./http/index.ts";
import { createWebchatChannel } from "./webchat/index.ts";
import { createSlackChannel } from "./slack/index.ts";
import { createEmailChannel } from "./email/index.ts";
import { createGitHubChannel } from "./github/index.ts";
import { readPrivateKey } from "./github/private-key.ts";
import { webhookChannelFromConfig } from "./webhook/config.ts";
import { whatsappChannelFromConfig } from "./whatsapp/config.ts";
import { telegramChannelFromConfig } from "./telegram/config.ts";
import { discordChannelFromConfig } from "./discord/config.ts";
import type { Vault } from "../core/secrets/vault.ts";

/** `baseDir`: where relative paths in the config (a private key file) start, the config file's folder. */
/** `vault`: decrypts the channel keys kept in the store (`switchboard channels key`). */
export function channelFromConfig(id: string, config: ChannelConfig, options: { baseDir?: string; vault?: Vault | undefined } = {}): Channel {
  switch (config.type) {
    case "http":
      return createHttpChannel({ id, key: config.key, threadStrategy: config.threadStrategy, ...(options.vault ? { vault: options.vault } : {}) });
    case "webchat":
      return createWebchatChannel({ id, path: config.path, title: config.title, threadStrategy: config.threadStrategy });
    case "slack":
      return createSlackChannel({
        id,
        mode: config.mode,
        botToken: config.botToken,
        signingSecret: config.signingSecret,
        appToken: config.appToken,
        apiUrl: config.apiUrl,
        requireMention: config.require_mention,
        allowedChannelIds: config.allowed_channel_ids,
        streaming: config.streaming,
        editIntervalMs: config.editInterval,
        threadStrategy: config.threadStrategy,
        watchdog: { silenceMs: config.watchdogSilence },
      });
    case "email":
      return createEmailChannel({
        id,
        address: config.address,
        name: config.name,
        replyTo: config.replyTo,
        aliases: config.aliases,
        imap: { ...config.imap, pollIntervalMs: config.imap.pollInterval },
        smtp: config.smtp,
        rateLimit: { max: config.rateLimit.max, windowMs: config.rateLimit.window },
        threadStrategy: config.threadStrategy,
      });
    case "github":
      return createGitHubChannel({
        id,
        mode: config.mode,
        ...(config.token !== undefined ? { token: config.token } : {}),
        ...(config.app !== undefined
          ? { app: { id: config.app.id, installationId: config.app.installationId, privateKey: readPrivateKey(`channels.${id}.app`, config.app, options.baseDir ?? process.cwd()) } }
          : {}),
        repos: config.repos,
        mentionName: config.mentionName?.replace(/^@/, ""),
        ...(config.userMap !== undefined ? { userMap: config.userMap } : {}),
        publicEmails: config.publicEmails,
        pollIntervalMs: config.pollInterval,
        overlapMs: config.pollOverlap,
        webhookSecret: config.webhookSecret,
        apiUrl: config.apiUrl,
        processingText: config.processingText,
        threadStrategy: config.threadStrategy,
      });
    case "webhook":
      return webhookChannelFromConfig(id, config, options.vault);
    case "whatsapp":
      return whatsappChannelFromConfig(id, config);
    case "telegram":
      return telegramChannelFromConfig(id, config);
    case "discord":
      return discordChannelFromConfig(id, config);
  }
}
