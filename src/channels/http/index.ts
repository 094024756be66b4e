/**
 * The `http` channel: the gateway's own API. `POST /channels/<id>` (and `/v1/messages` for the
 * API channel) takes `{user, text, session?, agent?, id?}` and answers with the reply as JSON,
 * as SSE, or with 202 after the durable accept; `/channels/<id>/ws` (and `/v1/ws`) is the same
 * over a WebSocket. Replies are returned to the caller, so delivery through the outbox only
 * records them.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Channel, ChannelContext, ChannelRequest, SentMessage } from "../../core/channel.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { bearerToken, errorResponse, readJson, secretsEqual } from "../../core/http-io.ts";
import { apiEnvelope, parseApiMessage, parseSubagentMessage } from "./ingress.ts";
import { respond } from "./respond.ts";
import { WsApi } from "./ws.ts";

export interface HttpChannelOptions {
  id: string;
  /** Bearer key callers must present; without one the API is open (bind to localhost). */
  key?: string;
  threadStrategy?: ThreadStrategy;
  maxFrameBytes?: number;
}

export class HttpChannel implements Channel {
  readonly id: string;
  readonly type = "http";
  readonly capabilities = { edit: false, stream: true, threads: false, typing: false };
  readonly maxMessageLength = Number.POSITIVE_INFINITY;
  readonly threadStrategy: ThreadStrategy | undefined;
  private readonly key: string | undefined;
  private readonly ws: WsApi;
  private ctx: ChannelContext | undefined;

  constructor(options: HttpChannelOptions) {
    this.id = options.id;
    this.key = options.key;
    this.threadStrategy = options.threadStrategy;
    this.ws = new WsApi({
      channel: this,
      context: () => this.ctx,
      authorize: (headers, url) => this.authorized(headers, url.searchParams.get("key") ?? undefined),
      maxPayload: options.maxFrameBytes ?? 1024 * 1024,
    });
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
  }

  async stop(): Promise<void> {
    this.ws.close();
    this.ctx = undefined;
  }

  /** Whether a request carries the channel key (always true when the channel has none). */
  authorized(headers: Headers, queryKey?: string): boolean {
    if (this.key === undefined) return true;
    const given = bearerToken(headers) ?? queryKey;
    return given !== undefined && secretsEqual(given, this.key);
  }

  async handleRequest({ request, subpath, bodyLimit }: ChannelRequest): Promise<Response> {
    const subagent = /^\/subagents\/([^/]+)\/messages$/.exec(subpath);
    if (subpath !== "/" && subpath !== "/messages" && !subagent) return errorResponse(404, `no route ${request.method} ${subpath} on channel "${this.id}"`);
    if (request.method !== "POST") return errorResponse(405, "use POST to send a message");
    if (!this.authorized(request.headers)) return errorResponse(401, "missing or wrong channel key (send Authorization: Bearer <key>)");
    const ctx = this.ctx;
    if (!ctx) return errorResponse(503, `channel "${this.id}" is not started`);
    if (subagent) return this.toSubagent(ctx, decodeURIComponent(subagent[1]!), request, bodyLimit);
    const message = parseApiMessage(await readJson(request, bodyLimit));
    return respond(ctx, apiEnvelope(this, message), request);
  }

  /** A message straight to an exposed sub-agent, bypassing the agent that exposed it. */
  private async toSubagent(ctx: ChannelContext, id: string, request: Request, bodyLimit: number): Promise<Response> {
    const message = parseSubagentMessage(await readJson(request, bodyLimit));
    const exposure = await ctx.subagents.get(id);
    // Someone else's sub-agent is as unknown as a missing one.
    if (!exposure || exposure.userId !== message.user) return errorResponse(404, `no sub-agent "${id}" for this user`);
    return respond(ctx, apiEnvelope(this, { ...message, session: exposure.sessionId }), request);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, subpath: string): void {
    if (subpath !== "/ws") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    this.ws.handleUpgrade(request, socket, head);
  }

  format(markdown: string): string {
    return markdown;
  }

  /** The caller already got the reply in its response or stream; delivery only records it. */
  async send(): Promise<SentMessage> {
    return {};
  }
}

export function createHttpChannel(options: HttpChannelOptions): HttpChannel {
  return new HttpChannel(options);
}
