/**
 * The `discord` channel: a Discord bot. Slash commands arrive as signed HTTP interactions at
 * `POST /channels/<id>` (interactions.ts) and are answered by a deferred response that the reply
 * then fills in; DMs and @mentions arrive over the gateway (gateway.ts, @discordjs/ws). Both go
 * through one ingest path to the durable accept (ingest.ts); replies go out through
 * @discordjs/rest (egress.ts) in Discord's markdown (format.ts), split at 2,000 characters.
 */
import type { REST } from "@discordjs/rest";
import { GatewayDispatchEvents, Routes, type GatewayDispatchPayload } from "discord-api-types/v10";
import type { Address, Channel, ChannelCapabilities, ChannelContext, ChannelRequest, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { ConfigError, SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { silentLogger } from "../../core/log.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { registerCommand } from "./commands.ts";
import { DiscordChannelDirectory } from "./directory.ts";
import { createRest, deliveryError, DiscordEgress } from "./egress.ts";
import { markdownToDiscord } from "./format.ts";
import { DiscordGatewayConnection, type GatewayStats } from "./gateway.ts";
import type { CommandInteraction, DiscordMessagePayload } from "./inbound.ts";
import { DiscordIngest } from "./ingest.ts";
import { DiscordInteractionsEndpoint } from "./interactions.ts";
import { SerialRetryQueue } from "./serial-queue.ts";
import { discordPublicKey, DiscordSignatureVerifier } from "./signature.ts";
import { DiscordTargets } from "./target.ts";

export interface DiscordChannelOptions {
  id: string;
  /** The bot token (Developer Portal → Bot → Reset Token). */
  botToken: string;
  /** The application's public key (64 hex characters); enables HTTP interactions (slash commands). */
  publicKey?: string;
  /** The application id; read from `GET /applications/@me` when not given. */
  applicationId?: string;
  /** Another API base, e.g. the emulator's `http://127.0.0.1:3230/api`. */
  apiUrl?: string;
  /** Connect to the gateway for DMs and @mentions. Default true. */
  gateway?: boolean;
  /** In servers, answer only @mentions, replies to the bot and threads it is engaged in. Default true. */
  requireMention?: boolean;
  /** When set, only these servers are answered; DMs are not affected. */
  allowedGuildIds?: string[];
  /** The slash command this channel answers. Default `ask`. */
  commandName?: string;
  /** Create (or update) the slash command on start. Default true. */
  registerCommand?: boolean;
  /** `edit`: stream a reply by editing one message. `off`: post the reply when done. Default `edit`. */
  streaming?: "edit" | "off";
  /** Least time between two edits of a streaming message; 1000 ms by default. */
  editIntervalMs?: number;
  /** Rate-limit waits up to this long happen in the REST client; longer ones are handed to the outbox. Default 2000 ms. */
  maxRateLimitWaitMs?: number;
  threadStrategy?: ThreadStrategy;
  /** Interaction signatures are checked against this clock (tests). */
  now?: () => number;
}

/** Discord's limit for a message's content. The formatter never lengthens a chunk, so all 2,000 are usable. */
export const DISCORD_MAX_MESSAGE_LENGTH = 2_000;

export class DiscordChannel implements Channel {
  readonly id: string;
  readonly type = "discord";
  readonly capabilities: ChannelCapabilities;
  readonly maxMessageLength = DISCORD_MAX_MESSAGE_LENGTH;
  readonly threadStrategy: ThreadStrategy | undefined;
  readonly streamEditIntervalMs: number;
  private readonly options: DiscordChannelOptions;
  private readonly ingest: DiscordIngest;
  private readonly endpoint: DiscordInteractionsEndpoint;
  private readonly queue: SerialRetryQueue;
  private ctx: ChannelContext | undefined;
  private log: Logger = silentLogger;
  private rest: REST | undefined;
  private egress: DiscordEgress | undefined;
  private directory: DiscordChannelDirectory | undefined;
  private targets: DiscordTargets | undefined;
  private gateway: DiscordGatewayConnection | undefined;
  private botUser: string | undefined;

  constructor(options: DiscordChannelOptions) {
    const issues = optionIssues(options);
    if (issues.length > 0) throw new ConfigError(issues);
    this.options = options;
    this.id = options.id;
    this.threadStrategy = options.threadStrategy;
    this.streamEditIntervalMs = options.editIntervalMs ?? 1_000;
    // Messages can always be edited; `streaming: off` only turns off streaming by edits.
    this.capabilities = { edit: true, stream: (options.streaming ?? "edit") === "edit", threads: true, typing: true };
    const allowed = options.allowedGuildIds ? new Set(options.allowedGuildIds) : undefined;
    this.ingest = new DiscordIngest({
      channelId: this.id,
      source: this.type,
      settings: () => ({ botUserId: this.botUser ?? "", requireMention: options.requireMention ?? true, ...(allowed ? { allowedGuildIds: allowed } : {}) }),
      directory: () => this.directory,
      context: () => (this.botUser ? this.ctx : undefined),
      log: () => this.log,
      ...(options.now ? { now: options.now } : {}),
    });
    this.endpoint = new DiscordInteractionsEndpoint({
      verifier: options.publicKey ? new DiscordSignatureVerifier(options.publicKey, options.now ? { now: options.now } : {}) : undefined,
      ingest: this.ingest,
      commandName: options.commandName ?? "ask",
      log: () => this.log,
    });
    this.queue = new SerialRetryQueue(() => this.log);
  }

  /** Gateway connection health (undefined with `gateway: false`). */
  get gatewayStats(): GatewayStats | undefined {
    return this.gateway?.stats;
  }

  /** The bot's user id, known once started. */
  get botUserId(): string | undefined {
    return this.botUser;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.log = ctx.log;
    const rest = createRest(this.options.botToken, { ...(this.options.apiUrl !== undefined ? { apiUrl: this.options.apiUrl } : {}), maxRateLimitWaitMs: this.options.maxRateLimitWaitMs ?? 2_000 });
    let me: { id: string };
    try {
      me = (await rest.get(Routes.user("@me"))) as { id: string };
    } catch (error) {
      throw new SwitchboardError(`Discord channel "${this.id}" could not start: ${deliveryError("GET /users/@me", error).message}`, { status: 502, cause: error });
    }
    this.rest = rest;
    this.botUser = me.id;
    this.egress = new DiscordEgress(rest, ctx.log);
    this.directory = new DiscordChannelDirectory(rest, () => this.log);
    this.targets = new DiscordTargets(rest);
    this.ctx = ctx;
    if (this.options.registerCommand ?? true) {
      await registerCommand(rest, { applicationId: this.options.applicationId, name: this.options.commandName ?? "ask" }).catch((error: unknown) =>
        ctx.log.warn("Discord slash command not registered; register it by hand (see docs/discord.md)", { error: deliveryError("registering the command", error).message }),
      );
    }
    if (this.options.gateway ?? true) {
      const gateway = new DiscordGatewayConnection({ token: this.options.botToken, rest, onDispatch: (payload) => this.onDispatch(payload), log: () => this.log });
      this.gateway = gateway;
      try {
        await gateway.start();
      } catch (error) {
        this.gateway = undefined;
        this.ctx = undefined;
        throw new SwitchboardError(`Discord channel "${this.id}" could not connect to the gateway: ${(error as Error).message}`, { status: 502, cause: error });
      }
    }
    ctx.log.info("Discord channel started", { botUserId: me.id, gateway: this.gateway !== undefined, interactions: this.options.publicKey !== undefined });
  }

  async stop(): Promise<void> {
    const gateway = this.gateway;
    this.gateway = undefined;
    await gateway?.stop();
    await this.queue.drain();
    this.ctx = undefined;
  }

  handleRequest(req: ChannelRequest): Promise<Response> {
    return this.endpoint.handle(req);
  }

  format(markdown: string): string {
    return markdownToDiscord(markdown);
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const sent = await this.requireEgress().send(message);
    // A first message in a server (every reply has a ref) engages the bot in its thread: the one
    // it was posted in, or the one people start from it, which Discord gives the message's id.
    const { to } = message;
    if (to.ref === undefined && to.user === undefined && this.ctx) {
      const thread = to.thread ?? sent.platformId;
      if (thread !== undefined) await this.ingest.engage(this.ctx, thread).catch((error: unknown) => this.log.warn("Discord thread the bot started not remembered", { error }));
    }
    return sent;
  }

  /** A channel or thread by id, or a person's DM by user id. */
  async resolveTarget(to: string): Promise<Address> {
    if (!this.targets) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
    return this.targets.resolve(to);
  }

  edit(to: Address, sent: SentMessage, text: string): Promise<void> {
    return this.requireEgress().edit(to, sent, text);
  }

  typing(to: Address): Promise<void> {
    return this.requireEgress().typing(to);
  }

  private requireEgress(): DiscordEgress {
    // Retryable: the outbox keeps the item until the channel has started.
    if (!this.egress) throw deliveryError("send", new Error(`channel "${this.id}" is not started`));
    return this.egress;
  }

  /**
   * Gateway events are not redelivered once received, so each is accepted in arrival order and
   * a failed accept is retried here (a few times, with backoff) instead of being dropped.
   */
  private onDispatch(payload: GatewayDispatchPayload): void {
    if (payload.t === GatewayDispatchEvents.MessageCreate) {
      this.queue.push(`message ${payload.d.id}`, () => this.ingest.message(payload.d as DiscordMessagePayload));
    } else if (payload.t === GatewayDispatchEvents.InteractionCreate) {
      const interaction = payload.d as unknown as CommandInteraction;
      // Only when the app has no interactions endpoint URL does Discord send interactions here.
      void this.answerOverRest(interaction);
    }
  }

  private async answerOverRest(interaction: CommandInteraction): Promise<void> {
    const response = await this.endpoint.answer(interaction);
    try {
      await this.rest?.post(Routes.interactionCallback(interaction.id, interaction.token), { body: response, auth: false });
    } catch (error) {
      this.log.warn("Discord interaction answer failed", { error: deliveryError("answering an interaction", error).message });
    }
  }
}

function optionIssues(options: DiscordChannelOptions): string[] {
  const at = `channels.${options.id}`;
  const issues: string[] = [];
  if (!options.botToken || /\s/.test(options.botToken)) issues.push(`${at}.botToken: required (Developer Portal → your app → Bot → Reset Token), without "Bot " in front`);
  if (options.publicKey !== undefined) {
    try {
      discordPublicKey(options.publicKey);
    } catch (error) {
      issues.push(`${at}.publicKey: ${(error as Error).message}`);
    }
  }
  if (options.gateway === false && options.publicKey === undefined) issues.push(`${at}: with gateway: false, set publicKey, or the channel hears nothing`);
  return issues;
}

export function createDiscordChannel(options: DiscordChannelOptions): DiscordChannel {
  return new DiscordChannel(options);
}
