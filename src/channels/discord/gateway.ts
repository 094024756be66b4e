/**
 * The Discord gateway connection for DMs and mentions, through `@discordjs/ws`: it identifies
 * with the intents the channel needs, heartbeats (a connection whose heartbeats go unacknowledged
 * is a zombie and is replaced), and resumes after a drop so Discord replays the events missed
 * meanwhile. Session info is kept per connection, not in the library's process-wide default, so
 * two bots (or two gateways in one test process) never resume each other's session.
 */
import type { REST } from "@discordjs/rest";
import { WebSocketManager, WebSocketShardEvents, type SessionInfo } from "@discordjs/ws";
import { GatewayIntentBits, type GatewayDispatchPayload } from "discord-api-types/v10";
import type { Logger } from "../../core/log.ts";

/** Server messages, DMs, and the text of messages (a privileged intent: enable it in the Developer Portal). */
export const DISCORD_INTENTS = GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages | GatewayIntentBits.MessageContent;

export interface GatewayStats {
  connected: boolean;
  /** READY events: the first connection and every fresh session after it. */
  sessions: number;
  /** RESUMED events: drops recovered with the missed events replayed. */
  resumes: number;
  lastEventAt: number | undefined;
}

export interface DiscordGatewayOptions {
  token: string;
  rest: REST;
  onDispatch: (payload: GatewayDispatchPayload) => void;
  log: () => Logger;
  intents?: number;
}

export class DiscordGatewayConnection {
  readonly stats: GatewayStats = { connected: false, sessions: 0, resumes: 0, lastEventAt: undefined };
  private readonly options: DiscordGatewayOptions;
  private readonly sessions = new Map<number, SessionInfo>();
  private manager: WebSocketManager | undefined;

  constructor(options: DiscordGatewayOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const manager = new WebSocketManager({
      token: this.options.token,
      intents: this.options.intents ?? DISCORD_INTENTS,
      rest: this.options.rest,
      retrieveSessionInfo: (shardId) => this.sessions.get(shardId) ?? null,
      updateSessionInfo: (shardId, info) => {
        if (info) this.sessions.set(shardId, info);
        else this.sessions.delete(shardId);
      },
    });
    const log = this.options.log;
    manager.on(WebSocketShardEvents.Dispatch, (payload) => {
      this.stats.lastEventAt = Date.now();
      this.options.onDispatch(payload);
    });
    manager.on(WebSocketShardEvents.Ready, (data) => {
      this.stats.connected = true;
      this.stats.sessions++;
      log().info("Discord gateway ready", { user: data.user.id, session: this.stats.sessions });
    });
    manager.on(WebSocketShardEvents.Resumed, () => {
      this.stats.connected = true;
      this.stats.resumes++;
      log().info("Discord gateway resumed; missed events are replayed", { resumes: this.stats.resumes });
    });
    manager.on(WebSocketShardEvents.Closed, (code) => {
      this.stats.connected = false;
      log().warn("Discord gateway connection closed; reconnecting", { code });
    });
    manager.on(WebSocketShardEvents.Error, (error) => log().warn("Discord gateway error", { error }));
    manager.on(WebSocketShardEvents.Debug, (message) => log().debug("Discord gateway", { message }));
    this.manager = manager;
    try {
      await manager.connect();
    } catch (error) {
      this.manager = undefined;
      await Promise.resolve(manager.destroy()).catch(() => undefined);
      throw error;
    }
  }

  async stop(): Promise<void> {
    const manager = this.manager;
    this.manager = undefined;
    this.stats.connected = false;
    if (manager) await manager.destroy({ reason: "Switchboard channel stopping" });
  }
}
