/**
 * The `webchat` channel: a chat page served by the gateway that streams replies token by token.
 * Under `/channels/<id>` it serves the page (`/page`, also at `pagePath`), its assets, `POST
 * /messages` (an SSE stream of the reply) and `GET /history`. Each browser is its own sender and
 * so its own session; sub-agents an agent exposes to it get tabs of their own, whose messages go
 * straight to the sub-agent's session. Replies reach the browser over its stream, so delivery
 * only records them.
 */
import type { Channel, ChannelContext, ChannelRequest, SentMessage } from "../../core/channel.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import type { ExposureRecord, SessionRecord } from "../../store/store.ts";
import { errorResponse, json, readJson, sseResponse } from "../../core/http-io.ts";
import { streamReply } from "../../core/reply-stream.ts";
import type { HistoryQuery } from "./ingress.ts";
import { parseHistoryQuery, parseWebchatMessage, webchatEnvelope, webchatSender } from "./ingress.ts";
import { channelEndpoint, pageResponse, scriptResponse, styleResponse } from "./page/index.ts";

export interface WebchatChannelOptions {
  id: string;
  /** Where the server serves the page outside `/channels`; `/` by default. */
  path?: string;
  /** The page's title and heading. */
  title?: string;
  threadStrategy?: ThreadStrategy;
}

type Route = { method: "GET" | "POST"; handle: (req: ChannelRequest) => Promise<Response> | Response };

export class WebchatChannel implements Channel {
  readonly id: string;
  readonly type = "webchat";
  readonly capabilities = { edit: false, stream: true, threads: false, typing: false };
  readonly maxMessageLength = Number.POSITIVE_INFINITY;
  readonly threadStrategy: ThreadStrategy | undefined;
  /** The server serves the page here by calling `handleRequest({ subpath: "/page" })`. */
  readonly pagePath: string;
  readonly title: string;
  private ctx: ChannelContext | undefined;
  private readonly routes: Record<string, Route>;

  constructor(options: WebchatChannelOptions) {
    this.id = options.id;
    this.pagePath = options.path ?? "/";
    this.title = options.title ?? "Switchboard";
    this.threadStrategy = options.threadStrategy;
    this.routes = {
      "/page": { method: "GET", handle: ({ request }) => pageResponse({ title: this.title, endpoint: channelEndpoint(request, this.id, this.pagePath) }) },
      "/app.js": { method: "GET", handle: () => scriptResponse() },
      "/app.css": { method: "GET", handle: () => styleResponse() },
      "/messages": { method: "POST", handle: (req) => this.postMessage(req) },
      "/history": { method: "GET", handle: (req) => this.history(req) },
    };
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
  }

  async stop(): Promise<void> {
    this.ctx = undefined;
  }

  async handleRequest(req: ChannelRequest): Promise<Response> {
    const route = Object.hasOwn(this.routes, req.subpath) ? this.routes[req.subpath] : undefined;
    if (!route) return errorResponse(404, `no route ${req.request.method} ${req.subpath} on channel "${this.id}"`);
    if (req.request.method !== route.method) {
      return json({ error: `use ${route.method} for ${req.subpath}` }, 405, { allow: route.method });
    }
    return route.handle(req);
  }

  format(markdown: string): string {
    return markdown;
  }

  /** The browser already got the reply over its stream; the transcript keeps it. */
  async send(): Promise<SentMessage> {
    return {};
  }

  private context(): ChannelContext | Response {
    return this.ctx ?? errorResponse(503, `channel "${this.id}" is not started`);
  }

  private async postMessage({ request, bodyLimit }: ChannelRequest): Promise<Response> {
    const ctx = this.context();
    if (ctx instanceof Response) return ctx;
    const message = parseWebchatMessage(await readJson(request, bodyLimit));
    let session: string | undefined;
    if (message.subagent !== undefined) {
      const exposure = await this.exposureFor(ctx, message.subagent, message.client);
      // Another browser's sub-agent is as unknown as a missing one.
      if (!exposure) return errorResponse(404, `no sub-agent "${message.subagent}" for this browser`);
      session = exposure.sessionId;
    }
    const abort = new AbortController();
    return sseResponse(streamReply(ctx, webchatEnvelope(this, message, session), abort.signal), () => abort.abort());
  }

  /** A session's transcript, only for the browser whose session it is (404 for anyone else). */
  private async history({ request }: ChannelRequest): Promise<Response> {
    const ctx = this.context();
    if (ctx instanceof Response) return ctx;
    const query = parseHistoryQuery(new URL(request.url).searchParams);
    const session = await ctx.sessions.get(query.session);
    if (!session || !(await this.showsHistory(ctx, session, query))) return errorResponse(404, "no such session for this client");
    const transcript = await ctx.sessions.transcript(session.id);
    return json({ transcript }, 200, { "cache-control": "no-store" });
  }

  /** The sub-agent `id` if it was exposed to this browser. */
  private async exposureFor(ctx: ChannelContext, id: string, client: string): Promise<ExposureRecord | undefined> {
    const exposure = await ctx.subagents.get(id);
    return exposure?.userId === webchatSender(client) ? exposure : undefined;
  }

  /**
   * Whether the browser may read this session: one of its own here, or the session of a
   * sub-agent exposed to it in one of those (sub-sessions live on the internal sub-agent channel).
   */
  private async showsHistory(ctx: ChannelContext, session: SessionRecord, query: HistoryQuery): Promise<boolean> {
    if (session.userId !== webchatSender(query.client)) return false;
    if (session.channel === this.id) return true;
    if (query.subagent === undefined) return false;
    const exposure = await this.exposureFor(ctx, query.subagent, query.client);
    if (exposure?.sessionId !== session.id) return false;
    return (await ctx.sessions.get(exposure.parentSessionId))?.channel === this.id;
  }
}

export function createWebchatChannel(options: WebchatChannelOptions): WebchatChannel {
  return new WebchatChannel(options);
}
