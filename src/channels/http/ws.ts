/**
 * The WebSocket API: one long-lived connection on which a client sends messages and receives
 * the same events as the SSE stream, each tagged with the message `id` it belongs to.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { ChannelContext } from "../../core/channel.ts";
import { streamReply } from "../../core/reply-stream.ts";
import { SwitchboardError } from "../../core/errors.ts";
import { apiEnvelope, parseApiMessage } from "./ingress.ts";

export interface WsApiOptions {
  channel: { id: string; type: string };
  context: () => ChannelContext | undefined;
  authorize: (headers: Headers, url: URL) => boolean;
  maxPayload: number;
}

export class WsApi {
  private readonly server: WebSocketServer;
  private readonly options: WsApiOptions;
  private readonly sockets = new Set<WebSocket>();

  constructor(options: WsApiOptions) {
    this.options = options;
    this.server = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers.set(name, value);
    if (!this.options.authorize(headers, url)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\n\r\nmissing or wrong channel key\n");
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.connected(ws));
  }

  close(): void {
    for (const ws of this.sockets) ws.close(1001, "gateway shutting down");
    this.server.close();
  }

  private connected(ws: WebSocket): void {
    this.sockets.add(ws);
    const abort = new AbortController();
    ws.on("close", () => {
      this.sockets.delete(ws);
      abort.abort();
    });
    ws.on("message", (data, isBinary) => {
      void this.handleFrame(ws, isBinary ? "" : data.toString(), abort.signal);
    });
  }

  private async handleFrame(ws: WebSocket, frame: string, signal: AbortSignal): Promise<void> {
    const send = (event: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
    };
    let id: string | undefined;
    try {
      let body: unknown;
      try {
        body = JSON.parse(frame);
      } catch {
        send({ type: "rejected", reason: "malformed JSON frame", httpStatus: 400 });
        return;
      }
      const { type: _type, ...rest } = (body ?? {}) as { type?: string };
      const envelope = apiEnvelope(this.options.channel, parseApiMessage(rest));
      id = envelope.eventId;
      const ctx = this.options.context();
      if (!ctx) throw new SwitchboardError("channel is not started", { status: 503 });
      for await (const event of streamReply(ctx, envelope, signal)) send({ ...event, id });
    } catch (error) {
      const status = error instanceof SwitchboardError ? error.status : 500;
      const reason = error instanceof SwitchboardError ? error.message : "internal error";
      send({ type: "rejected", id, reason, httpStatus: status });
    }
  }
}
