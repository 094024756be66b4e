/**
 * Socket Mode as Slack runs it: apps.connections.open hands out a single-use `ws://…/socket?ticket=…`
 * URL; on connect the server sends `hello`, pings at the WebSocket level, answers the client's
 * pings, sends envelopes and takes `{"envelope_id"}` acks. A silenced connection is deaf: the
 * emulator neither sends nor reads anything on it (no envelopes, no pings, no pongs, no close
 * handshake) while the TCP connection stays open — the half-open socket that still "looks connected".
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { disconnectFrame, helloFrame, type DisconnectReason } from "./payloads.ts";

type DataListener = (chunk: Buffer) => void;

export interface SocketConnection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly raw: Duplex;
  deaf: boolean;
  /** Resolves when the TCP connection is gone. */
  readonly closed: Promise<void>;
  isOpen(): boolean;
}

interface Connection extends SocketConnection {
  pingTimer?: NodeJS.Timeout;
  /** While deaf: the WebSocket's own `data` listeners, detached, and the bytes they missed. */
  detached: DataListener[];
  missed: Buffer[];
  swallow?: DataListener;
}

const TICKET_LIFETIME_MS = 60_000;

export class SocketModeHub {
  private readonly appId: string;
  private readonly pingIntervalMs: number;
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  private readonly tickets = new Map<string, number>();
  private readonly connections = new Set<Connection>();
  private readonly ackHandlers = new Map<string, (payload: unknown) => void>();
  private readonly connectWaiters = new Set<() => void>();
  private nextId = 1;
  /** apps.connections.open calls that handed out a URL. */
  opened = 0;

  constructor(options: { appId: string; pingIntervalMs: number }) {
    this.appId = options.appId;
    this.pingIntervalMs = options.pingIntervalMs;
  }

  /** A fresh single-use WebSocket URL, as apps.connections.open returns. */
  issueUrl(baseHttpUrl: string): string {
    const ticket = randomUUID();
    this.tickets.set(ticket, Date.now() + TICKET_LIFETIME_MS);
    this.opened += 1;
    return `${baseHttpUrl.replace(/^http/, "ws")}/socket?ticket=${ticket}&app_id=${this.appId}`;
  }

  get openCount(): number {
    return [...this.connections].filter((c) => c.isOpen()).length;
  }

  /** Take an HTTP upgrade to `/socket`; refuse it with 401 when the ticket is unknown, used or stale. */
  handleUpgrade(req: IncomingMessage, raw: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const ticket = url.searchParams.get("ticket") ?? "";
    const expires = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (url.pathname !== "/socket" || expires === undefined || expires < Date.now()) {
      raw.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, raw, head, (ws) => this.adopt(ws, raw));
  }

  private adopt(ws: WebSocket, raw: Duplex): void {
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const connection: Connection = {
      id: this.nextId++,
      ws,
      raw,
      deaf: false,
      closed,
      detached: [],
      missed: [],
      isOpen: () => ws.readyState === WebSocket.OPEN && !raw.destroyed,
    };
    this.connections.add(connection);
    const forget = () => {
      if (!this.connections.delete(connection)) return;
      clearInterval(connection.pingTimer);
      markClosed();
    };
    ws.on("close", forget);
    raw.on("close", forget);
    ws.on("error", () => undefined);
    // The client's pings: answered only while the connection hears (autoPong is off).
    ws.on("ping", (data) => {
      if (!connection.deaf && ws.readyState === WebSocket.OPEN) ws.pong(data);
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      const id = (frame as { envelope_id?: unknown })?.envelope_id;
      if (typeof id === "string") this.ackHandlers.get(id)?.((frame as { payload?: unknown }).payload);
    });
    connection.pingTimer = setInterval(() => {
      if (!connection.deaf && connection.isOpen()) ws.ping(Buffer.from(`ping-${Date.now()}`));
    }, this.pingIntervalMs);
    connection.pingTimer.unref();
    ws.send(JSON.stringify(helloFrame(this.appId, this.openCount)));
    for (const wake of [...this.connectWaiters]) wake();
  }

  /** The connection an envelope goes to: the newest open one (Slack can't tell a deaf one apart). */
  private target(): Connection | undefined {
    return [...this.connections].filter((c) => c.isOpen()).at(-1);
  }

  /** Resolve true as soon as a connection is open, false after `timeoutMs`. */
  waitForConnection(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.target()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.connectWaiters.delete(wake);
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      };
      const wake = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.connectWaiters.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Send a frame to the target connection. A deaf target swallows it, as a half-open socket would. */
  send(frame: Record<string, unknown>): SocketConnection | undefined {
    const connection = this.target();
    if (!connection) return undefined;
    if (!connection.deaf) connection.ws.send(JSON.stringify(frame));
    return connection;
  }

  onAck(envelopeId: string, handler: (payload: unknown) => void): void {
    this.ackHandlers.set(envelopeId, handler);
  }

  forgetAck(envelopeId: string): void {
    this.ackHandlers.delete(envelopeId);
  }

  /** Deafen every open connection (or revive every deaf one). Connections opened later are not deaf. */
  silence(silent: boolean): void {
    for (const connection of this.connections) {
      if (silent) deafen(connection);
      else revive(connection);
    }
  }

  /** Ask every hearing connection to reconnect, as Slack does before recycling a server. */
  disconnectAll(reason: DisconnectReason): void {
    for (const connection of this.connections) {
      if (!connection.deaf && connection.isOpen()) connection.ws.send(JSON.stringify(disconnectFrame(reason)));
    }
  }

  close(): void {
    for (const connection of this.connections) {
      clearInterval(connection.pingTimer);
      connection.ws.terminate();
      connection.raw.destroy();
    }
    this.connections.clear();
    for (const wake of [...this.connectWaiters]) wake();
    this.wss.close();
  }
}

/**
 * Stop reading: the WebSocket's parser is detached from the TCP stream and the bytes are kept for
 * later. The stream itself keeps flowing, so a client that gives up and closes is still noticed.
 */
function deafen(c: Connection): void {
  if (c.deaf) return;
  c.deaf = true;
  c.detached = c.raw.listeners("data") as DataListener[];
  for (const listener of c.detached) c.raw.removeListener("data", listener);
  c.swallow = (chunk) => void c.missed.push(chunk);
  c.raw.on("data", c.swallow);
}

/** Hear again: reattach the parser and let it read what arrived meanwhile (late pings, acks, a close). */
function revive(c: Connection): void {
  if (!c.deaf) return;
  c.deaf = false;
  if (c.swallow) c.raw.removeListener("data", c.swallow);
  for (const listener of c.detached) c.raw.on("data", listener);
  for (const chunk of c.missed.splice(0)) for (const listener of c.detached) listener.call(c.raw, chunk);
  c.detached = [];
}
