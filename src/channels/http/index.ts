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
import { StoredChannelKeys } from "../../core/secrets/stored-channel-keys.ts";
import type { Vault } from "../../core/secrets/vault.ts";

export interface HttpChannelOptions {
  id: string;
  /**
   * Bearer key callers must present. Keys made with `switchboard channels key` (kept encrypted
   * in the store) work too; with neither, the API is open (bind to localhost).
   */
  key?: string;
  /** Decrypts the generated keys; by default the master key from the environment. */
  vault?: Vault;
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
  private readonly storedKeys: StoredChannelKeys;
  private readonly ws: WsApi;
  private ctx: ChannelContext | undefined;

  constructor(options: HttpChannelOptions) {
    this.id = options.id;
    this.key = options.key;
    this.storedKeys = new StoredChannelKeys({ channelId: options.id, vault: options.vault });
    this.threadStrategy = options.threadStrategy;
    this.ws = new WsApi({
      channel: this,
      context: () => this.ctx,
      authorize: (headers, url) => this.authorized(headers, url.searchParams.get("key") ?? undefined),
      maxPayload: options.maxFrameBytes ?? 1024 * 1024,
    });
  }

  async start(ctx: ChannelContext): Promise<void> {
    await this.storedKeys.attach(ctx.state, ctx.log);
    this.ctx = ctx;
  }

  async stop(): Promise<void> {
    this.ws.close();
    this.storedKeys.detach();
    this.ctx = undefined;
  }

  /**
   * Whether a request carries a channel key: the configured one or a generated one. Always true
   * when the channel has neither; never true when generated keys exist but cannot be read.
   * Uses the last read of the stored keys; `authorize` refreshes it first.
   */
  authorized(headers: Headers, queryKey?: string): boolean {
    const stored = this.storedKeys.current();
    if (this.key === undefined && stored.kind === "none") return true;
    const given = bearerToken(headers) ?? queryKey;
    if (given === undefined) return false;
    return (this.key !== undefined && secretsEqual(given, this.key)) || this.storedKeys.matches(given);
  }

  async authorize(headers: Headers, queryKey?: string): Promise<boolean> {
    await this.storedKeys.refresh();
    return this.authorized(headers, queryKey);
  }

  async handleRequest({ request, subpath, bodyLimit }: ChannelRequest): Promise<Response> {
    const subagent = /^\/subagents\/([^/]+)\/messages$/.exec(subpath);
    if (subpath !== "/" && subpath !== "/messages" && !subagent) return errorResponse(404, `no route ${request.method} ${subpath} on channel "${this.id}"`);
    if (request.method !== "POST") return errorResponse(405, "use POST to send a message");
    if (!(await this.authorize(request.headers))) return errorResponse(401, "missing or wrong channel key (send Authorization: Bearer <key>)");
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
    // The WebSocket check is synchronous: bring the stored keys up to date before it runs.
    this.storedKeys.refresh().then(
      () => this.ws.handleUpgrade(request, socket, head),
      () => socket.destroy(),
    );
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
