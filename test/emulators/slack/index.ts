/**
 * A local Slack for tests and trying Switchboard without a workspace. It serves the Web API
 * subset the Slack channel uses (with Slack's error shapes and tiered rate limits), Socket Mode
 * (hello, envelopes, acks, pings, a switch that makes sockets deaf), and Events API delivery
 * over signed HTTP with Slack's retry behaviour. Talk to it with the official SDKs:
 * `new WebClient(token, { slackApiUrl: emulator.url + "/api/" })` and
 * `new SocketModeClient({ appToken, clientOptions: { slackApiUrl: emulator.url + "/api/" } })`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControl, type CommandResponse } from "./control.ts";
import { commandAnswer, EventDelivery, type Delivery, type Transport } from "./events-delivery.ts";
import { appMentionEvent, eventCallback, eventId as newEventId, fileId, messageEvent, urlVerification, slashCommandFields, type DisconnectReason, type WorkspaceIds } from "./payloads.ts";
import { FailureQueue, RateLimiter, type InjectedFailure } from "./rate-limits.ts";
import { SocketModeHub } from "./socket-mode.ts";
import { createWebApi, send, type WebApiCall } from "./web-api.ts";
import { Workspace, type PostRecord, type StatusCall } from "./workspace.ts";

export type { Delivery, DeliveryAttempt, Transport } from "./events-delivery.ts";
export type { PostRecord, StatusCall } from "./workspace.ts";
export type { WebApiCall } from "./web-api.ts";
export type { CommandResponse } from "./control.ts";
export { slackSignature, signedHeaders, SLACK_DOCUMENTED_EXAMPLE } from "./signing.ts";
export { MAX_TEXT_LENGTH } from "./web-api.ts";
export { METHOD_LIMITS } from "./rate-limits.ts";

export interface SlackEmulatorOptions {
  port?: number;
  signingSecret?: string;
  botToken?: string;
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  /** Where to POST Events API deliveries and slash commands (HTTP mode); set later with setEventsUrl too. */
  eventsUrl?: string;
  /** Per-minute limits per method (chat.postMessage: per channel), overriding Slack's tiers; tests can lower them. */
  rateLimits?: Partial<Record<string, number>>;
  /** The rate-limit window, 60 s like Slack; tests can shorten "a minute". */
  rateLimitWindowMs?: number;
  appId?: string;
  /** The legacy verification token Slack puts in bodies (`token` field). */
  verificationToken?: string;
  /** How long Slack waits for a 2xx or an ack before it counts a failure: 3 s, like Slack. */
  ackTimeoutMs?: number;
  /** The waits before retries 1, 2 and 3. Slack: immediately, 1 min, 5 min; default [0, 1000, 5000]. */
  retryDelaysMs?: number[];
  /** How often the server pings each Socket Mode connection (default 5000 ms). */
  socketPingIntervalMs?: number;
  /** Echo the bot's own DM posts back as `message` events with `bot_id`, as Slack does for message.im subscribers. Off by default. */
  echoBotMessages?: boolean;
}

export interface EmulatedFileOptions {
  name: string;
  mimetype?: string;
  content?: string;
  user?: string;
}

export interface SlackEmulator {
  /** Base URL, e.g. http://127.0.0.1:PORT; the Web API is at `${url}/api/`. */
  url: string;
  signingSecret: string;
  botToken: string;
  appToken: string;
  teamId: string;
  botUserId: string;
  appId: string;
  botId: string;
  verificationToken: string;
  readonly eventsUrl: string | undefined;
  setEventsUrl(url: string): void;
  addUser(user: { id: string; name: string; realName?: string; displayName?: string; email?: string; isBot?: boolean }): void;
  /** Make a conversation exist (events create the ones they mention). DMs are D…, private channels G…. */
  addChannel(channel: { id: string; name?: string; kind?: "channel" | "group" | "im"; user?: string; archived?: boolean }): void;
  /**
   * Deliver an event as Slack would: over the Socket Mode connection if one is open, else a signed
   * HTTP POST to eventsUrl, with Slack's retry policy. Resolves when acked or out of retries.
   */
  deliverEvent(event: Record<string, unknown>, options?: { eventId?: string; transport?: Transport }): Promise<Delivery>;
  /** A `message` event (and the message now exists in the workspace). */
  message(opts: { user: string; channel: string; text: string; ts?: string; threadTs?: string; channelType?: "im" | "channel" | "group"; files?: unknown[]; botId?: string; subtype?: string }): Record<string, unknown>;
  /** An `app_mention` event (and the message now exists in the workspace). */
  appMention(opts: { user: string; channel: string; text: string; ts?: string; threadTs?: string }): Record<string, unknown>;
  /**
   * A slash command: over Socket Mode as a `slash_commands` envelope if a connection is open, else a
   * signed form POST to eventsUrl. Not retried. `{status: 0, body: "operation_timed_out"}` when not
   * answered within 3 s, `{status: 0, body: "dispatch_failed"}` when it could not be sent.
   */
  slashCommand(opts: { command: string; text: string; user: string; channel: string; transport?: Transport }): Promise<{ status: number; body: unknown }>;
  /** Send `url_verification` to eventsUrl as Slack does when the Request URL is saved. */
  verifyUrl(challenge?: string): Promise<{ ok: boolean; status: number; body: unknown }>;
  /** A file object as it appears in a message's `files`; `url_private` serves `content` to the bot token only. */
  file(opts: EmulatedFileOptions): Record<string, unknown>;
  /** Everything the bot posted / updated, in order. */
  readonly posts: PostRecord[];
  /** The bot's messages in a channel as they stand now (after updates), oldest first. */
  messages(channel: string): Array<{ ts: string; thread_ts?: string; text: string; edits: number }>;
  /** Make the next N calls of a method fail with 429 (Retry-After seconds) or an error (HTTP 200 → `{ok:false,error}`, else that status). */
  failNext(method: string, n: number, failure: InjectedFailure): void;
  /** Socket Mode: make the open sockets deaf (no events, no pings, no pongs, nothing read) without closing them; false revives them. */
  silenceSockets(silent: boolean): void;
  /** Socket Mode: send `{"type":"disconnect","reason":…}` to every hearing connection. */
  disconnectSockets(reason?: DisconnectReason): void;
  readonly socketConnections: number;
  readonly connectionsOpened: number;
  readonly statusCalls: StatusCall[];
  /** Every delivery so far (events only), with its attempts. */
  readonly deliveries: Delivery[];
  /** Every Web API call so far, tokens removed. */
  readonly apiCalls: WebApiCall[];
  /** What the app POSTed to slash commands' response_url. */
  readonly commandResponses: CommandResponse[];
  close(): Promise<void>;
}

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const ids: WorkspaceIds = {
    teamId: options.teamId ?? "T000EMU",
    appId: options.appId ?? "A000EMU",
    botId: "B000EMU",
    botUserId: options.botUserId ?? "U000BOT",
    verificationToken: options.verificationToken ?? "emulatorVerificationToken",
  };
  const signingSecret = options.signingSecret ?? "emulator-signing-secret";
  const botToken = options.botToken ?? "xoxb-emulator-bot-token";
  const appToken = options.appToken ?? "xapp-emulator-app-token";
  let eventsUrl = options.eventsUrl;
  let baseUrl = "";

  const workspace = new Workspace(ids);
  const stopping = new AbortController();
  const hub = new SocketModeHub({ appId: ids.appId, pingIntervalMs: options.socketPingIntervalMs ?? 5_000 });
  const delivery = new EventDelivery({
    signingSecret,
    hub,
    ackTimeoutMs: options.ackTimeoutMs ?? 3_000,
    retryDelaysMs: options.retryDelaysMs ?? [0, 1_000, 5_000],
    signal: stopping.signal,
  });
  const failures = new FailureQueue();
  const apiCalls: WebApiCall[] = [];
  const commandResponses: CommandResponse[] = [];
  const files = new Map<string, { content: string; mimetype: string }>();
  let commandCount = 0;

  const webApi = createWebApi({
    workspace,
    botToken,
    appToken,
    limiter: new RateLimiter(options.rateLimits, options.rateLimitWindowMs),
    failures,
    calls: apiCalls,
    openSocketUrl: () => hub.issueUrl(baseUrl),
    onBotMessage(message) {
      if (!options.echoBotMessages || workspace.channels.get(message.channel)?.kind !== "im") return;
      const echo = messageEvent(ids, { user: ids.botUserId, channel: message.channel, text: message.text, ts: message.ts, threadTs: message.thread_ts, botId: ids.botId });
      void emulator.deliverEvent(echo).catch(() => undefined);
    },
  });

  /** Socket Mode if a connection is open (or the app was in Socket Mode and has no HTTP URL), else HTTP. */
  function chooseTransport(requested: Transport | undefined): Transport {
    if (requested) return requested;
    if (hub.openCount > 0) return "socket";
    if (eventsUrl) return "http";
    if (hub.opened > 0) return "socket";
    throw new Error("slack emulator: no Socket Mode connection is open and no eventsUrl is set, so there is nowhere to deliver the event");
  }

  const parentUser = (channel: string, threadTs?: string) => (threadTs ? workspace.message(channel, threadTs)?.user : undefined);

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      console.error("slack emulator:", error);
      if (!res.headersSent) send(res, 500, { ok: false, error: "fatal_error" });
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path.startsWith("/api/")) return webApi(req, res, decodeURIComponent(path.slice(5)));
    if (path.startsWith("/files-pri/")) {
      const id = path.split("/")[2]?.split("-")[1] ?? "";
      const file = files.get(id);
      if (req.headers.authorization !== `Bearer ${botToken}` || !file) {
        res.writeHead(file ? 403 : 404, { "content-type": "text/plain" });
        res.end(file ? "invalid_auth" : "file_not_found");
        return;
      }
      res.writeHead(200, { "content-type": file.mimetype });
      res.end(file.content);
      return;
    }
    return handleControl(req, res, path, emulator, commandResponses);
  }

  server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const emulator: SlackEmulator = {
    url: baseUrl,
    signingSecret,
    botToken,
    appToken,
    teamId: ids.teamId,
    botUserId: ids.botUserId,
    appId: ids.appId,
    botId: ids.botId,
    verificationToken: ids.verificationToken,
    get eventsUrl() {
      return eventsUrl;
    },
    setEventsUrl(url) {
      eventsUrl = url;
    },
    addUser: (user) => workspace.addUser(user),
    addChannel: (channel) => void workspace.addChannel(channel),

    async deliverEvent(event, opts = {}) {
      const channel = typeof event.channel === "string" ? event.channel : undefined;
      const user = typeof event.user === "string" ? event.user : undefined;
      if (channel) workspace.knowChannel(channel, user);
      if (user) workspace.knowUser(user);
      const transport = chooseTransport(opts.transport);
      const body = eventCallback(ids, event, opts.eventId ?? newEventId());
      return delivery.deliver(body, transport, () => eventsUrl);
    },

    message(o) {
      workspace.knowUser(o.user);
      const conversation = workspace.knowChannel(o.channel, o.user);
      const ts = o.ts ?? workspace.clock.next();
      workspace.store({ channel: o.channel, ts, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), text: o.text, user: o.user, ...(o.botId ? { botId: o.botId } : {}), edits: 0 });
      return messageEvent(ids, { ...o, ts, channelType: o.channelType ?? conversation.kind, parentUserId: parentUser(o.channel, o.threadTs) });
    },

    appMention(o) {
      workspace.knowUser(o.user);
      workspace.knowChannel(o.channel, o.user);
      const ts = o.ts ?? workspace.clock.next();
      workspace.store({ channel: o.channel, ts, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), text: o.text, user: o.user, edits: 0 });
      return appMentionEvent(ids, { ...o, ts });
    },

    async slashCommand(o) {
      const user = workspace.knowUser(o.user);
      const channel = workspace.knowChannel(o.channel, o.user);
      const transport = chooseTransport(o.transport);
      commandCount += 1;
      const responseUrl = `${baseUrl}/commands/${ids.teamId}/${commandCount}/${Math.random().toString(36).slice(2, 14)}`;
      const fields = slashCommandFields(ids, { ...o, userName: user.name, channelName: channel.kind === "im" ? "directmessage" : channel.name, responseUrl });
      if (transport === "socket") return delivery.socketCommand(fields);
      if (!eventsUrl) return { status: 0, body: "dispatch_failed" };
      return commandAnswer(await delivery.post(eventsUrl, new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded"));
    },

    async verifyUrl(challenge = `challenge-${Math.random().toString(36).slice(2)}`) {
      if (!eventsUrl) throw new Error("slack emulator: set eventsUrl before verifying it");
      const answer = commandAnswer(await delivery.post(eventsUrl, JSON.stringify(urlVerification(ids, challenge)), "application/json"));
      const echoed = typeof answer.body === "object" && answer.body !== null ? (answer.body as { challenge?: unknown }).challenge : answer.body;
      return { ok: answer.status === 200 && echoed === challenge, ...answer };
    },

    file(o) {
      const id = fileId();
      const content = o.content ?? "";
      const mimetype = o.mimetype ?? "text/plain";
      files.set(id, { content, mimetype });
      const now = Math.floor(Date.now() / 1000);
      return {
        id,
        created: now,
        timestamp: now,
        name: o.name,
        title: o.name,
        mimetype,
        filetype: o.name.includes(".") ? o.name.split(".").pop() : "text",
        pretty_type: mimetype,
        user: o.user ?? "",
        user_team: ids.teamId,
        editable: false,
        size: Buffer.byteLength(content),
        mode: "hosted",
        is_external: false,
        external_type: "",
        is_public: false,
        public_url_shared: false,
        display_as_bot: false,
        username: "",
        url_private: `${baseUrl}/files-pri/${ids.teamId}-${id}/${encodeURIComponent(o.name)}`,
        url_private_download: `${baseUrl}/files-pri/${ids.teamId}-${id}/download/${encodeURIComponent(o.name)}`,
        permalink: `https://emulator.slack.com/files/${o.user ?? ""}/${id}/${encodeURIComponent(o.name)}`,
        is_starred: false,
        has_rich_preview: false,
        file_access: "visible",
      };
    },

    posts: workspace.posts,
    messages: (channel) => workspace.botMessages(channel),
    failNext: (method, n, failure) => failures.add(method, n, failure),
    silenceSockets: (silent) => hub.silence(silent),
    disconnectSockets: (reason = "refresh_requested") => hub.disconnectAll(reason),
    get socketConnections() {
      return hub.openCount;
    },
    get connectionsOpened() {
      return hub.opened;
    },
    statusCalls: workspace.statusCalls,
    deliveries: delivery.deliveries,
    apiCalls,
    commandResponses,

    close() {
      stopping.abort();
      hub.close();
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return emulator;
}
