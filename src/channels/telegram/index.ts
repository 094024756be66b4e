/**
 * The `telegram` channel: a Telegram bot over the Bot API (grammY's `Api`), receiving by long
 * polling (default; one poller per bot across gateways, core/poller-lease.ts + poller.ts) or by webhook
 * (`POST /channels/<id>` with a secret token, webhook.ts). Updates become envelopes in
 * inbound.ts/ingest.ts; replies go out in MarkdownV2 or HTML (format.ts) through egress.ts,
 * streamed by editing one message.
 */
import type { Update } from "grammy/types";
import type { Address, Channel, ChannelCapabilities, ChannelContext, ChannelRequest, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { ConfigError, SwitchboardError } from "../../core/errors.ts";
import { errorResponse } from "../../core/http-io.ts";
import type { Logger } from "../../core/log.ts";
import { silentLogger } from "../../core/log.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { createTelegramApi, deliveryError, type TelegramApi } from "./api.ts";
import { TelegramEgress } from "./egress.ts";
import { markdownToTelegram, type TelegramFormat } from "./format.ts";
import type { BotIdentity, InboundSettings } from "./inbound.ts";
import { TelegramIngest } from "./ingest.ts";
import { PollerLease } from "../../core/poller-lease.ts";
import { UpdatePoller } from "./poller.ts";
import { resolveTelegramTarget } from "./target.ts";
import { handleWebhook } from "./webhook.ts";

export interface TelegramChannelOptions {
  id: string;
  /** From @BotFather: `<bot id>:<secret>`. */
  botToken: string;
  /** `polling` (default): no public URL needed. `webhook`: Telegram POSTs to `/channels/<id>`. */
  mode?: "polling" | "webhook";
  /** Webhook mode: the secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token`. */
  secretToken?: string;
  /** Webhook mode: register the webhook on start (`setWebhook` to `<publicUrl>/channels/<id>`). */
  setWebhook?: boolean;
  /** The gateway's public base URL, e.g. `https://bot.example.com`. */
  publicUrl?: string;
  /** Another Bot API server, e.g. the emulator's URL or a self-hosted telegram-bot-api. */
  apiRoot?: string;
  /** In groups, answer only when @mentioned, addressed by a command, or replied to. Default true. */
  requireMention?: boolean;
  /** When set, only these group chat ids are answered; private chats are not affected. */
  allowedChatIds?: string[];
  /** Parse mode of replies: `markdownv2` (default) or `html`. */
  format?: TelegramFormat;
  /** `edit`: stream a reply by editing one message. `off`: send it when done. Default `edit`. */
  streaming?: "edit" | "off";
  /** Least time between two edits of a streaming message; 1000 ms by default. */
  editIntervalMs?: number;
  /** Long-poll timeout (seconds Telegram holds a getUpdates open); 25 by default. */
  pollTimeoutSeconds?: number;
  /** How long the single-poller lease lasts unrenewed; a standby takes over this long after a crash. 30 s by default. */
  pollerLeaseTtlMs?: number;
  /** Show link previews under replies. Default false. */
  linkPreviews?: boolean;
  threadStrategy?: ThreadStrategy;
}

/** Telegram's limit for one message's text, after entity parsing (markup does not count). */
export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096;

export class TelegramChannel implements Channel {
  readonly id: string;
  readonly type = "telegram";
  readonly capabilities: ChannelCapabilities;
  readonly maxMessageLength = TELEGRAM_MAX_MESSAGE_LENGTH;
  readonly threadStrategy: ThreadStrategy | undefined;
  /** How often the core's stream relay may edit a streaming message. */
  readonly streamEditIntervalMs: number;
  readonly mode: "polling" | "webhook";
  private readonly options: TelegramChannelOptions;
  private readonly ingest: TelegramIngest;
  private ctx: ChannelContext | undefined;
  private log: Logger = silentLogger;
  private bot: BotIdentity | undefined;
  private egress: TelegramEgress | undefined;
  private api: TelegramApi | undefined;
  private lease: PollerLease | undefined;
  private poller: UpdatePoller | undefined;

  constructor(options: TelegramChannelOptions) {
    const issues = optionIssues(options);
    if (issues.length > 0) throw new ConfigError(issues);
    this.options = options;
    this.id = options.id;
    this.mode = options.mode ?? "polling";
    this.threadStrategy = options.threadStrategy;
    this.streamEditIntervalMs = options.editIntervalMs ?? 1_000;
    this.capabilities = { edit: (options.streaming ?? "edit") === "edit", stream: true, threads: true, typing: true };
    // Without streaming there is no edit method at all, so the core never streams by edits.
    this.edit = this.capabilities.edit ? (to, sent, text) => this.requireEgress().edit(to, sent, text) : undefined;
    const allowed = options.allowedChatIds ? new Set(options.allowedChatIds) : undefined;
    this.ingest = new TelegramIngest({
      channelId: this.id,
      source: this.type,
      settings: (): InboundSettings | undefined =>
        this.bot ? { bot: this.bot, requireMention: options.requireMention ?? true, ...(allowed ? { allowedChatIds: allowed } : {}) } : undefined,
      context: () => this.ctx,
      log: () => this.log,
    });
  }

  /** The bot's identity, known once started (getMe). */
  get botIdentity(): BotIdentity | undefined {
    return this.bot;
  }

  /** Whether this instance is the one long-polling Telegram right now. */
  get polling(): boolean {
    return this.poller?.running ?? false;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.log = ctx.log;
    const api = await createTelegramApi(this.options.botToken, { ...(this.options.apiRoot !== undefined ? { apiRoot: this.options.apiRoot } : {}) });
    try {
      const me = await api.getMe();
      this.bot = { id: me.id, username: me.username };
    } catch (error) {
      throw new SwitchboardError(`Telegram channel "${this.id}" could not start: ${deliveryError("getMe", error).message}`, { status: 502, cause: error });
    }
    this.egress = new TelegramEgress(api, { format: this.options.format ?? "markdownv2", linkPreviews: this.options.linkPreviews ?? false }, ctx.log);
    this.api = api;
    this.ctx = ctx;
    if (this.mode === "webhook" && this.options.setWebhook) await this.registerWebhook(api);
    if (this.mode === "polling") this.startPolling(api, ctx);
    ctx.log.info("Telegram channel started", { mode: this.mode, bot: this.bot.username });
  }

  async stop(): Promise<void> {
    const lease = this.lease;
    const poller = this.poller;
    this.lease = undefined;
    this.poller = undefined;
    // Renewals stop, the poll in flight is aborted, and only then is the lease given up, so a
    // standby's first getUpdates never overlaps ours.
    await lease?.stop();
    await poller?.stop();
    await lease?.release();
    this.ctx = undefined;
  }

  async handleRequest(req: ChannelRequest): Promise<Response> {
    if (this.mode !== "webhook") return errorResponse(404, `channel "${this.id}" uses long polling; Telegram does not POST to it`);
    return handleWebhook(req, { secretToken: this.options.secretToken!, ingest: (update) => this.ingest.update(update, "webhook"), log: () => this.log });
  }

  format(markdown: string): string {
    return markdownToTelegram(markdown, this.options.format ?? "markdownv2");
  }

  send(message: OutboundMessage): Promise<SentMessage> {
    return this.requireEgress().send(message);
  }

  readonly edit: ((to: Address, sent: SentMessage, text: string) => Promise<void>) | undefined;

  typing(to: Address): Promise<void> {
    return this.requireEgress().typing(to);
  }

  /** A chat by numeric id, or a public group or channel by @username. */
  async resolveTarget(to: string): Promise<Address> {
    if (!this.api) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
    return resolveTelegramTarget(this.api, to);
  }

  private startPolling(api: TelegramApi, ctx: ChannelContext): void {
    const poller = new UpdatePoller({
      api,
      state: ctx.state,
      log: ctx.log,
      handle: async (update: Update) => void (await this.ingest.update(update, "polling")),
      timeoutSeconds: this.options.pollTimeoutSeconds ?? 25,
      allowedUpdates: ["message"],
      mayPoll: () => this.lease?.held === true,
    });
    this.poller = poller;
    this.lease = new PollerLease({
      name: `telegram:${botIdOf(this.options.botToken)}`,
      ttlMs: this.options.pollerLeaseTtlMs ?? 30_000,
      leases: ctx.leases,
      log: ctx.log,
      what: "the Telegram poller",
      onAcquired: () => poller.start(),
      onLost: () => void poller.stop(),
    });
    this.lease.start();
  }

  private async registerWebhook(api: TelegramApi): Promise<void> {
    const url = `${this.options.publicUrl!.replace(/\/+$/, "")}/channels/${encodeURIComponent(this.id)}`;
    try {
      await api.setWebhook(url, { secret_token: this.options.secretToken!, allowed_updates: ["message"] });
    } catch (error) {
      throw new SwitchboardError(`Telegram channel "${this.id}" could not set its webhook to ${url}: ${deliveryError("setWebhook", error).message}`, { status: 502, cause: error });
    }
    this.log.info("Telegram webhook set", { url });
  }

  private requireEgress(): TelegramEgress {
    // Retryable: the outbox keeps the item until the channel has started.
    if (!this.egress) throw deliveryError("send", new Error(`channel "${this.id}" is not started`));
    return this.egress;
  }
}

/** The bot's numeric id: the token's part before the colon. */
export function botIdOf(token: string): string {
  return token.split(":")[0] ?? token;
}

/** Telegram's secret_token alphabet and length. */
const secretTokenPattern = /^[A-Za-z0-9_-]{1,256}$/;

function optionIssues(options: TelegramChannelOptions): string[] {
  const at = `channels.${options.id}`;
  const issues: string[] = [];
  if (!/^\d+:[\w-]{20,}$/.test(options.botToken ?? "")) issues.push(`${at}.botToken: must be a bot token from @BotFather (<digits>:<secret>)`);
  if (options.mode === "webhook") {
    if (!options.secretToken) issues.push(`${at}.secretToken: required when mode is webhook (any 1-256 of A-Z a-z 0-9 _ -; also given to setWebhook)`);
    else if (!secretTokenPattern.test(options.secretToken)) issues.push(`${at}.secretToken: only A-Z, a-z, 0-9, _ and - are allowed, 1 to 256 characters (Telegram's rule)`);
    if (options.setWebhook && !options.publicUrl) issues.push(`${at}.publicUrl: required with setWebhook (the gateway's public https base URL)`);
  }
  return issues;
}

export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  return new TelegramChannel(options);
}
