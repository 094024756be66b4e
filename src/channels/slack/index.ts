/**
 * The `slack` channel: a Slack app over the HTTP Events API (`POST /channels/<id>`) or Socket
 * Mode, chosen per channel. Ingress verifies and classifies events (events.ts, socket.ts,
 * inbound.ts), looks up the sender (identity.ts) and acknowledges Slack only after the durable
 * accept (ingest.ts); egress posts, edits and shows status through the Web API (egress.ts) in
 * Slack's mrkdwn (format.ts).
 */
import type { Address, Channel, ChannelCapabilities, ChannelContext, ChannelRequest, OutboundMessage, SentMessage } from "../../core/channel.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { ConfigError, SwitchboardError } from "../../core/errors.ts";
import { errorResponse } from "../../core/http-io.ts";
import type { Logger } from "../../core/log.ts";
import { silentLogger } from "../../core/log.ts";
import { createWebClient, deliveryError, SlackEgress } from "./egress.ts";
import { SlackEventsEndpoint } from "./events.ts";
import { markdownToMrkdwn } from "./format.ts";
import { SlackDirectory, type SlackDirectoryOptions } from "./identity.ts";
import type { InboundSettings } from "./inbound.ts";
import { SlackIngest } from "./ingest.ts";
import { SlackSignatureVerifier } from "./signature.ts";
import { SlackSocketConnection, type SocketEnvelope, type SocketStats } from "./socket.ts";
import { SlackTargets } from "./target.ts";

export interface SlackChannelOptions {
  id: string;
  /** `events`: Slack POSTs to `/channels/<id>` (needs a public URL). `socket`: Socket Mode, no public URL. */
  mode: "events" | "socket";
  /** Bot token, `xoxb-…`. */
  botToken: string;
  /** Required in `events` mode (Basic Information → Signing Secret). */
  signingSecret?: string;
  /** App-level token `xapp-…` with `connections:write`; required in `socket` mode. */
  appToken?: string;
  /** Another Web API base, e.g. the emulator's `http://127.0.0.1:3210/api/`. */
  apiUrl?: string;
  /** In channels (not DMs), answer only messages that mention the bot, and follow-ups in its threads. Default true. */
  requireMention?: boolean;
  /** When set, only these channels are answered; DMs are not affected. */
  allowedChannelIds?: string[];
  /** `edit`: stream a reply by editing one message. `off`: post it, split at the limit, when done. Default `edit`. */
  streaming?: "edit" | "off";
  /** Least time between two edits of a streaming message; 1000 ms by default. */
  editIntervalMs?: number;
  threadStrategy?: ThreadStrategy;
  /** Socket Mode deaf-socket detection: replace a socket that heard nothing for `silenceMs` (30 s). */
  watchdog?: { intervalMs?: number; silenceMs?: number };
  /** Sender profile cache (users.info). */
  identity?: SlackDirectoryOptions;
  /** Events API: verify signatures against this clock (tests). */
  now?: () => number;
}

/**
 * Under Slack's 4,000-character guidance for one readable message (chat.postMessage itself takes
 * 40,000), with room for what mrkdwn conversion adds to a chunk (code fences around tables).
 */
export const SLACK_MAX_MESSAGE_LENGTH = 3_900;

export class SlackChannel implements Channel {
  readonly id: string;
  readonly type = "slack";
  readonly capabilities: ChannelCapabilities;
  readonly maxMessageLength = SLACK_MAX_MESSAGE_LENGTH;
  readonly threadStrategy: ThreadStrategy | undefined;
  /** How often the core's stream relay may edit a streaming message. */
  readonly streamEditIntervalMs: number;
  readonly mode: "events" | "socket";
  private readonly options: SlackChannelOptions;
  private readonly ingest: SlackIngest;
  private readonly endpoint: SlackEventsEndpoint | undefined;
  private ctx: ChannelContext | undefined;
  private log: Logger = silentLogger;
  private egress: SlackEgress | undefined;
  private directory: SlackDirectory | undefined;
  private targets: SlackTargets | undefined;
  private socket: SlackSocketConnection | undefined;
  private bot: { userId: string; botId?: string } | undefined;

  constructor(options: SlackChannelOptions) {
    const issues = optionIssues(options);
    if (issues.length > 0) throw new ConfigError(issues);
    this.options = options;
    this.id = options.id;
    this.mode = options.mode;
    this.threadStrategy = options.threadStrategy;
    this.streamEditIntervalMs = options.editIntervalMs ?? 1_000;
    this.capabilities = { edit: (options.streaming ?? "edit") === "edit", stream: true, threads: true, typing: true };
    const allowed = options.allowedChannelIds ? new Set(options.allowedChannelIds) : undefined;
    this.ingest = new SlackIngest({
      channelId: this.id,
      source: this.type,
      settings: (): InboundSettings => ({
        botUserId: this.bot?.userId ?? "",
        ...(this.bot?.botId !== undefined ? { botId: this.bot.botId } : {}),
        requireMention: options.requireMention ?? true,
        ...(allowed ? { allowedChannelIds: allowed } : {}),
      }),
      directory: () => this.directory,
      context: () => (this.bot ? this.ctx : undefined),
      log: () => this.log,
    });
    if (options.mode === "events") {
      this.endpoint = new SlackEventsEndpoint({
        verifier: new SlackSignatureVerifier(options.signingSecret!, options.now ? { now: options.now } : {}),
        ingest: this.ingest,
        log: () => this.log,
      });
    }
  }

  /** Socket Mode connection health (undefined in `events` mode). */
  get socketStats(): SocketStats | undefined {
    return this.socket?.stats;
  }

  /** The bot's Slack user id, known once started (`auth.test`). */
  get botUserId(): string | undefined {
    return this.bot?.userId;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.log = ctx.log;
    const client = createWebClient(this.options.botToken, { ...(this.options.apiUrl !== undefined ? { apiUrl: this.options.apiUrl } : {}), log: ctx.log });
    let auth: { user_id?: string; bot_id?: string };
    try {
      auth = await client.auth.test();
    } catch (error) {
      throw new SwitchboardError(`Slack channel "${this.id}" could not start: ${deliveryError("auth.test", error).message}`, { status: 502, cause: error });
    }
    if (!auth.user_id) throw new SwitchboardError(`Slack channel "${this.id}": auth.test returned no bot user id (is botToken a bot token?)`);
    this.bot = { userId: auth.user_id, ...(auth.bot_id !== undefined ? { botId: auth.bot_id } : {}) };
    this.egress = new SlackEgress(client, ctx.log);
    this.directory = new SlackDirectory(client, ctx.log, this.options.identity);
    this.targets = new SlackTargets(client);
    this.ctx = ctx;
    if (this.options.mode === "socket") {
      this.socket = new SlackSocketConnection({
        appToken: this.options.appToken!,
        ...(this.options.apiUrl !== undefined ? { apiUrl: this.options.apiUrl } : {}),
        handler: (envelope) => this.onSocketEnvelope(envelope),
        log: () => this.log,
        ...(this.options.watchdog !== undefined ? { watchdog: this.options.watchdog } : {}),
      });
      try {
        await this.socket.start();
      } catch (error) {
        this.socket = undefined;
        this.ctx = undefined;
        throw error;
      }
    }
    ctx.log.info("Slack channel started", { mode: this.mode, botUserId: auth.user_id });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.ctx = undefined;
    await socket?.stop();
  }

  async handleRequest(req: ChannelRequest): Promise<Response> {
    if (!this.endpoint) return errorResponse(404, `channel "${this.id}" uses Socket Mode; Slack does not POST to it`);
    return this.endpoint.handle(req);
  }

  format(markdown: string): string {
    return markdownToMrkdwn(markdown);
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const sent = await this.requireEgress().send(message);
    // A top-level post in a room (a first message) starts a thread: replies in it are for the bot.
    // The post went out: failing to remember that must not fail (and so repeat) the send.
    if (message.to.thread === undefined && !message.to.conversation.startsWith("D") && sent.platformId !== undefined && this.ctx) {
      await this.ingest.startedThread(this.ctx, message.to.conversation, sent.platformId).catch((error: unknown) => this.log.warn("Slack thread the bot started not remembered", { error }));
    }
    return sent;
  }

  /** A channel (#name or id) or a person (@name, email or id), whose DM is opened. */
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

  private requireEgress(): SlackEgress {
    // Retryable: the outbox keeps the item until the channel has started.
    if (!this.egress) throw deliveryError("send", new Error(`channel "${this.id}" is not started`));
    return this.egress;
  }

  private async onSocketEnvelope(envelope: SocketEnvelope): Promise<Record<string, unknown> | undefined> {
    if (envelope.type === "events_api") {
      await this.ingest.event(envelope.body, { transport: "socket", retry: envelope.retry });
      return undefined;
    }
    if (envelope.type === "slash_commands") {
      const { answer } = await this.ingest.command(envelope.body, { transport: "socket" });
      return { ...answer };
    }
    // Interactivity and anything newer: acknowledged so Slack stops redelivering, not handled.
    this.log.debug("Slack envelope type not handled", { type: envelope.type });
    return undefined;
  }
}

function optionIssues(options: SlackChannelOptions): string[] {
  const at = `channels.${options.id}`;
  const issues: string[] = [];
  if (!options.botToken?.startsWith("xoxb-")) issues.push(`${at}.botToken: must be a bot token (xoxb-…)`);
  if (options.mode === "events" && !options.signingSecret) issues.push(`${at}.signingSecret: required when mode is events (Slack app → Basic Information → Signing Secret)`);
  if (options.mode === "socket" && !options.appToken?.startsWith("xapp-")) issues.push(`${at}.appToken: required when mode is socket (an app-level token xapp-… with connections:write)`);
  return issues;
}

export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  return new SlackChannel(options);
}
