/**
 * The emulated Discord gateway (API v10, JSON, no compression): HELLO (op 10) with a heartbeat
 * interval, IDENTIFY (op 2, a wrong token closes with 4004), READY, heartbeats answered with
 * HEARTBEAT_ACK (op 11), dispatches (op 0) with increasing sequence numbers, and RESUME (op 6)
 * that replays what the session missed, then RESUMED; an unknown session gets INVALID_SESSION (op 9).
 * Without the MESSAGE_CONTENT intent, server messages that do not mention the bot arrive without
 * their text, as on Discord.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { EmuUser } from "./state.ts";

const MESSAGE_CONTENT = 1 << 15;

interface Session {
  id: string;
  seq: number;
  intents: number;
  socket: WebSocket | undefined;
  /** Sent events, for RESUME. */
  sent: Array<{ s: number; frame: string }>;
}

export interface GatewayOptions {
  botToken: string;
  bot: EmuUser;
  applicationId: string;
  heartbeatIntervalMs: number;
  resumeUrl: () => string;
}

export class GatewayHub {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly options: GatewayOptions;
  readonly stats = { identifies: 0, resumes: 0, heartbeats: 0 };

  constructor(options: GatewayOptions) {
    this.options = options;
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.connected(ws));
  }

  /** Open sessions with a live socket. */
  get liveSessions(): number {
    return [...this.sessions.values()].filter((s) => s.socket?.readyState === WebSocket.OPEN).length;
  }

  /** Send an event to every session; sessions without a socket keep it for their RESUME. */
  dispatch(type: string, data: Record<string, unknown>, options: { mentionsBot?: boolean } = {}): void {
    for (const session of this.sessions.values()) {
      const visible = session.intents & MESSAGE_CONTENT || data.guild_id === undefined || options.mentionsBot ? data : { ...data, content: "", attachments: [], embeds: [] };
      this.send(session, type, visible);
    }
  }

  /** Drop every connection with a resumable close code, as Discord does when it moves a session. */
  dropConnections(code = 4000): void {
    for (const session of this.sessions.values()) session.socket?.close(code, "emulator dropped the connection");
  }

  close(): void {
    for (const client of this.server.clients) client.terminate();
    this.server.close();
  }

  private connected(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null }));
    let session: Session | undefined;
    ws.on("message", (data) => {
      let frame: { op?: number; d?: Record<string, unknown> | number | null };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      const d = (typeof frame.d === "object" && frame.d !== null ? frame.d : {}) as Record<string, unknown>;
      switch (frame.op) {
        case 1:
          this.stats.heartbeats++;
          ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
          return;
        case 2:
          if (d.token !== this.options.botToken) {
            ws.close(4004, "Authentication failed.");
            return;
          }
          this.stats.identifies++;
          session = { id: randomUUID().replaceAll("-", ""), seq: 0, intents: Number(d.intents ?? 0), socket: ws, sent: [] };
          this.sessions.set(session.id, session);
          this.send(session, "READY", {
            v: 10,
            user: this.options.bot,
            guilds: [],
            session_id: session.id,
            resume_gateway_url: this.options.resumeUrl(),
            shard: [0, 1],
            application: { id: this.options.applicationId, flags: 0 },
          });
          return;
        case 6: {
          const resumed = this.sessions.get(String(d.session_id));
          if (!resumed || d.token !== this.options.botToken) {
            ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
            return;
          }
          this.stats.resumes++;
          session = resumed;
          session.socket = ws;
          const after = Number(d.seq ?? 0);
          for (const missed of session.sent.filter((event) => event.s > after)) ws.send(missed.frame);
          this.send(session, "RESUMED", {});
          return;
        }
        default:
          return;
      }
    });
    ws.on("close", () => {
      if (session?.socket === ws) session.socket = undefined;
    });
  }

  private send(session: Session, type: string, data: Record<string, unknown>): void {
    session.seq++;
    const frame = JSON.stringify({ op: 0, t: type, s: session.seq, d: data });
    session.sent.push({ s: session.seq, frame });
    if (session.sent.length > 1_000) session.sent.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(frame);
  }
}
