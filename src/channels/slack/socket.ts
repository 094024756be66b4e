/**
 * Socket Mode: one `@slack/socket-mode` client per channel, with an app-level token. Each
 * envelope is acknowledged only after its message is durably accepted; if the accept fails the
 * envelope stays unacknowledged and Slack delivers it again. The SDK reconnects dropped sockets
 * with backoff; on top of that a watchdog notices a socket that still looks connected but has
 * gone deaf (no envelopes, no pongs, no hello for `silenceMs`) and replaces this channel's client
 * only, never the process.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { SocketModeClient } from "@slack/socket-mode";
import type { Logger } from "../../core/log.ts";
import { SwitchboardError } from "../../core/errors.ts";
import { slackLogger } from "./egress.ts";

/** One Socket Mode envelope: `events_api` (body is an event_callback), `slash_commands`, `interactive`. */
export interface SocketEnvelope {
  type: string;
  body: unknown;
  /** Slack's redelivery count (0 the first time). */
  retry: number;
}

/** Returns the ack payload (or undefined for a bare ack); throws to leave the envelope unacknowledged. */
export type SocketEnvelopeHandler = (envelope: SocketEnvelope) => Promise<Record<string, unknown> | undefined>;

export interface SlackSocketOptions {
  appToken: string;
  /** Web API base for `apps.connections.open` (the emulator's, in tests). */
  apiUrl?: string;
  handler: SocketEnvelopeHandler;
  log: () => Logger;
  watchdog?: { intervalMs?: number; silenceMs?: number };
  /** How long `start` waits for the first connection before going on in the background. */
  connectTimeoutMs?: number;
}

export interface SocketStats {
  connected: boolean;
  /** Clients started: the first plus one per watchdog replacement (SDK reconnects reuse a client). */
  clients: number;
  /** Times the watchdog found the socket silent and replaced it. */
  watchdogReconnects: number;
}

/** What the SDK's `slack_event` listeners receive. */
interface SlackEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  type: string;
  body: unknown;
  retry_num?: number;
}

type State = "connecting" | "connected" | "disconnected";

const PING_CHANNEL = "undici:websocket:ping";
const PONG_CHANNEL = "undici:websocket:pong";

export class SlackSocketConnection {
  private readonly options: SlackSocketOptions;
  private readonly silenceMs: number;
  private readonly intervalMs: number;
  private client: SocketModeClient | undefined;
  private readonly retired = new WeakSet<SocketModeClient>();
  private state: State = "disconnected";
  /** The `wss://…?ticket=` URL of the live socket, to pick its pings and pongs out of undici's. */
  private socketUrl: string | undefined;
  private lastTraffic = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private clients = 0;
  private watchdogReconnects = 0;
  private readonly onHeartbeat = (message: unknown) => {
    const url = (message as { websocket?: { url?: unknown } }).websocket?.url;
    if (typeof url === "string" && this.socketUrl !== undefined && normalizeUrl(url) === this.socketUrl) this.lastTraffic = Date.now();
  };

  constructor(options: SlackSocketOptions) {
    this.options = options;
    this.silenceMs = options.watchdog?.silenceMs ?? 30_000;
    this.intervalMs = options.watchdog?.intervalMs ?? Math.max(50, Math.min(5_000, Math.floor(this.silenceMs / 4)));
  }

  get stats(): SocketStats {
    return { connected: this.state === "connected", clients: this.clients, watchdogReconnects: this.watchdogReconnects };
  }

  async start(): Promise<void> {
    subscribe(PING_CHANNEL, this.onHeartbeat);
    subscribe(PONG_CHANNEL, this.onHeartbeat);
    this.timer = setInterval(() => this.watch(), this.intervalMs);
    this.timer.unref();
    const connecting = this.open();
    let timeout: NodeJS.Timeout | undefined;
    const waited = new Promise<"timeout">((resolve) => {
      timeout = setTimeout(() => resolve("timeout"), this.options.connectTimeoutMs ?? 10_000);
    });
    try {
      if ((await Promise.race([connecting, waited])) === "timeout") {
        this.options.log().warn("Slack Socket Mode is still connecting; carrying on in the background");
        connecting.catch((error: unknown) => this.options.log().error("Slack Socket Mode could not connect", { error: explain(error) }));
      }
    } catch (error) {
      await this.stop();
      throw new SwitchboardError(`Slack Socket Mode could not connect: ${explain(error)}`, { status: 502, cause: error });
    } finally {
      clearTimeout(timeout);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    unsubscribe(PING_CHANNEL, this.onHeartbeat);
    unsubscribe(PONG_CHANNEL, this.onHeartbeat);
    const client = this.client;
    this.client = undefined;
    this.state = "disconnected";
    if (client) await this.retire(client);
  }

  /** Start a new client and make it the live one; resolves once Slack said hello. */
  private async open(): Promise<void> {
    const log = this.options.log();
    // Pings often enough that a healthy socket is never silent for `silenceMs` (the SDK pings every third of this).
    const clientPingTimeout = Math.min(5_000, this.silenceMs * 2);
    const client = new SocketModeClient({
      appToken: this.options.appToken,
      logger: slackLogger(log),
      autoReconnectEnabled: true,
      clientPingTimeout,
      clientOptions: this.options.apiUrl !== undefined ? { slackApiUrl: this.options.apiUrl } : {},
    });
    this.client = client;
    this.state = "connecting";
    this.clients++;
    const live = () => this.client === client;
    client.on("authenticated", (response: { url?: string }) => {
      if (live()) this.socketUrl = normalizeUrl(response.url);
    });
    client.on("connected", () => {
      // A retired client that finished connecting anyway is closed at once.
      if (!live()) return void client.disconnect().catch(() => undefined);
      this.state = "connected";
      this.lastTraffic = Date.now();
      log.info("Slack Socket Mode connected");
    });
    client.on("reconnecting", () => {
      if (!live()) return;
      this.state = "connecting";
      log.warn("Slack Socket Mode connection dropped; reconnecting");
    });
    client.on("disconnected", () => {
      if (live()) this.state = "disconnected";
    });
    client.on("slack_event", (args: SlackEventArgs) => void this.onEnvelope(client, args));
    await client.start();
  }

  private async onEnvelope(client: SocketModeClient, args: SlackEventArgs): Promise<void> {
    // Left unacknowledged on a retired socket: Slack delivers it again on the live one.
    if (this.client !== client) return;
    this.lastTraffic = Date.now();
    const log = this.options.log();
    let payload: Record<string, unknown> | undefined;
    try {
      payload = await this.options.handler({ type: args.type, body: args.body, retry: args.retry_num ?? 0 });
    } catch (error) {
      log.error("Slack envelope not accepted; leaving it unacknowledged so Slack delivers it again", { type: args.type, error });
      return;
    }
    try {
      await args.ack(payload);
    } catch (error) {
      // The message is committed; Slack will redeliver it and the core will find the duplicate.
      log.warn("Slack envelope acknowledgement failed", { type: args.type, error: explain(error) });
    }
  }

  /** The watchdog: a socket that claims to be connected but has heard nothing for too long is replaced. */
  private watch(): void {
    if (!this.client || this.state !== "connected") return;
    const silentMs = Date.now() - this.lastTraffic;
    if (silentMs < this.silenceMs) return;
    this.watchdogReconnects++;
    this.options.log().warn("Slack socket went silent; replacing this channel's connection", { silentMs, silenceMs: this.silenceMs });
    const old = this.client;
    void this.retire(old);
    this.lastTraffic = Date.now();
    this.open().catch((error: unknown) => this.options.log().error("Slack Socket Mode reconnect failed", { error: explain(error) }));
  }

  /** Close a client for good; a deaf peer may never finish the close handshake, so it is forced. */
  private async retire(client: SocketModeClient): Promise<void> {
    if (this.retired.has(client)) return;
    this.retired.add(client);
    // disconnect() marks the client as shutting down, so the SDK will not reconnect it.
    const closed = client.disconnect().catch(() => undefined);
    const force = setTimeout(() => void client.disconnect().catch(() => undefined), 1_000);
    let give: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => {
      give = setTimeout(resolve, 2_500);
    });
    try {
      await Promise.race([closed, giveUp]);
    } finally {
      clearTimeout(force);
      clearTimeout(give);
    }
  }
}

function explain(error: unknown): string {
  const code = (error as { data?: { error?: unknown } } | undefined)?.data?.error;
  if (code === "invalid_auth" || code === "not_authed") return `${code}: check the app-level token (xapp-…, with the connections:write scope)`;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}

function normalizeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
