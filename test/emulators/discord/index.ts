/**
 * A local Discord for tests and for trying the channel without a Discord app. It serves the REST
 * API subset the channel uses at `${url}/api` (so `new REST({ api: url + "/api" })` works, with
 * per-route rate limits and Discord's error shapes), a gateway at the URL `GET /gateway/bot`
 * returns (`@discordjs/ws` connects to it as to Discord), and delivers slash commands as signed
 * HTTP interactions that must be answered within 3 s, or over the gateway when no interactions
 * URL is set. Control methods make people say things and read what the bot answered.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { KeyObject } from "node:crypto";
import { handleControl } from "./control.ts";
import { GatewayHub } from "./gateway.ts";
import { RouteRateLimits, type BucketLimit, type InjectedLimit } from "./rate-limits.ts";
import { answerInteraction, handleRest, type RestCall, type RestContext } from "./rest-api.ts";
import { generateSigningKeys, signedHeaders, signingKeysFromSeed } from "./signing.ts";
import { DiscordWorld, type EmuChannel, type EmuInteraction, type EmuMessage, type EmuUser } from "./state.ts";

export { signedHeaders, generateSigningKeys } from "./signing.ts";
export { MAX_CONTENT_LENGTH } from "./rest-api.ts";
export type { EmuMessage, EmuChannel, EmuUser, EmuInteraction } from "./state.ts";
export type { RestCall } from "./rest-api.ts";

export interface DiscordEmulatorOptions {
  port?: number;
  botToken?: string;
  /** Where to POST interactions; set later with setInteractionsUrl too. Unset: interactions go over the gateway. */
  interactionsUrl?: string;
  /** HELLO's heartbeat interval; Discord's is about 41 s. */
  heartbeatIntervalMs?: number;
  /** Per-route bucket limits, keyed `METHOD /template`, e.g. `POST /channels/{channel}/messages`. */
  rateLimits?: Partial<Record<string, BucketLimit>>;
  /** How long Discord waits for an interaction response: 3 s. */
  ackTimeoutMs?: number;
  /** A 32-byte seed for the app's signing key, for a public key that stays the same across runs. */
  keySeed?: Buffer;
}

export interface InteractionDelivery {
  interactionId: string;
  token: string;
  /** HTTP status of the endpoint's answer (0 when it did not answer in time); 204 over the gateway. */
  status: number;
  /** The interaction response (`{type, data}`), when one came. */
  response: Record<string, unknown> | undefined;
  durationMs: number;
  /** `failed` is what the user sees as "The application did not respond". */
  outcome: "answered" | "failed";
}

export interface SayOptions {
  user: string;
  channel: string;
  content: string;
  /** Put `<@bot>` in front of the text, with the bot in `mentions`. */
  mention?: boolean;
  /** Reply to this message (a reply to the bot's message counts as addressing it). */
  replyTo?: string;
}

export interface DiscordEmulator {
  url: string;
  /** REST base for `@discordjs/rest` (`api` option) and the channel's `apiUrl`. */
  apiUrl: string;
  botToken: string;
  publicKey: string;
  signingKey: KeyObject;
  applicationId: string;
  botUserId: string;
  guildId: string;
  world: DiscordWorld;
  calls: RestCall[];
  commands: Array<Record<string, unknown>>;
  gateway: GatewayHub;
  readonly interactionsUrl: string | undefined;
  setInteractionsUrl(url: string | undefined): void;
  addUser(user: EmuUser): EmuUser;
  /** A server text channel (type 0), or a DM with `dm: true`. */
  addChannel(id: string, options?: { dm?: boolean; name?: string }): EmuChannel;
  /** A public thread in `parent`; started from a message when `fromMessage` is given (it gets that id). */
  addThread(parent: string, options?: { id?: string; fromMessage?: string; name?: string }): EmuChannel;
  /** A person says something: MESSAGE_CREATE over the gateway. */
  say(options: SayOptions): EmuMessage;
  /** Send an event's MESSAGE_CREATE again (as a replay after a resume can). */
  redeliver(messageId: string): void;
  /** A person runs the slash command. */
  slashCommand(options: { user: string; channel: string; text: string; name?: string }): Promise<InteractionDelivery>;
  /** The bot's messages in a channel (or thread), oldest first. */
  botMessages(channel: string): EmuMessage[];
  interaction(token: string): (EmuInteraction & { original?: EmuMessage; followUpMessages: EmuMessage[] }) | undefined;
  injectRateLimit(limit: InjectedLimit, count?: number): void;
  readonly refusals: RouteRateLimits["refusals"];
  close(): Promise<void>;
}

export async function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const world = new DiscordWorld();
  const keys = options.keySeed ? signingKeysFromSeed(options.keySeed) : generateSigningKeys();
  const botToken = options.botToken ?? "MTAwMDAwMDAwMDAwMDAwMDAx.emulator.bot-token";
  const applicationId = "1000000000000000001";
  const guildId = "1000000000000000100";
  const bot = world.addUser({ id: applicationId, username: "switchboard", global_name: "Switchboard", bot: true });
  const limits = new RouteRateLimits(options.rateLimits);
  const calls: RestCall[] = [];
  const commands: Array<Record<string, unknown>> = [];
  const callbacks = new Map<string, (body: Record<string, unknown>) => void>();
  let interactionsUrl = options.interactionsUrl;
  let base = "";

  const gateway = new GatewayHub({ botToken, bot, applicationId, heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250, resumeUrl: () => gatewayUrl() });
  const gatewayUrl = () => `${base.replace(/^http/, "ws")}/gateway`;
  const rest: RestContext = { world, limits, botToken, bot, applicationId, gatewayUrl, calls, commands, onCallback: (id, body) => callbacks.get(id)?.(body) };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const control = /^\/_emulator(\/.*)$/.exec(url.pathname);
    if (control) {
      handleControl(emulator, req, res, control[1]!, url.searchParams).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: String(error) }));
      });
      return;
    }
    const match = /^\/api(?:\/v\d+)?(\/.*)$/.exec(url.pathname);
    if (!match) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "404: Not Found", code: 0 }));
      return;
    }
    handleRest(rest, req, res, match[1]!.split("/").map(decodeURIComponent).join("/"), url.searchParams).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: String(error), code: 0 }));
    });
  });
  server.on("upgrade", (req, socket, head) => gateway.upgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const addChannel = (id: string, opts: { dm?: boolean; name?: string } = {}) =>
    world.addChannel(opts.dm ? { id, type: 1 } : { id, type: 0, guild_id: guildId, ...(opts.name ? { name: opts.name } : {}) });

  const deliverOverHttp = async (url: string, body: string, started: number, interactionId: string, token: string): Promise<InteractionDelivery> => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Discord-Interactions/1.0 (+https://discord.com)", ...signedHeaders(keys.privateKey, body) },
        body,
        signal: AbortSignal.timeout(options.ackTimeoutMs ?? 3_000),
      });
      const text = await response.text();
      const parsed = response.ok && text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      const answered = parsed !== undefined && answerInteraction(world, bot, applicationId, token, parsed) !== undefined;
      return { interactionId, token, status: response.status, response: parsed, durationMs: Date.now() - started, outcome: answered ? "answered" : "failed" };
    } catch {
      return { interactionId, token, status: 0, response: undefined, durationMs: Date.now() - started, outcome: "failed" };
    }
  };

  const deliverOverGateway = (payload: Record<string, unknown>, started: number, interactionId: string, token: string): Promise<InteractionDelivery> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        callbacks.delete(interactionId);
        resolve({ interactionId, token, status: 0, response: undefined, durationMs: Date.now() - started, outcome: "failed" });
      }, options.ackTimeoutMs ?? 3_000);
      callbacks.set(interactionId, (body) => {
        clearTimeout(timer);
        callbacks.delete(interactionId);
        const answered = answerInteraction(world, bot, applicationId, token, body) !== undefined;
        resolve({ interactionId, token, status: 204, response: body, durationMs: Date.now() - started, outcome: answered ? "answered" : "failed" });
      });
      gateway.dispatch("INTERACTION_CREATE", payload);
    });

  const emulator: DiscordEmulator = {
    url: base,
    apiUrl: `${base}/api`,
    botToken,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    applicationId,
    botUserId: bot.id,
    guildId,
    world,
    calls,
    commands,
    gateway,
    get interactionsUrl() {
      return interactionsUrl;
    },
    setInteractionsUrl(url) {
      interactionsUrl = url;
    },
    addUser: (user) => world.addUser(user),
    addChannel,
    addThread(parent, opts = {}) {
      const id = opts.fromMessage ?? opts.id ?? world.snowflake();
      return world.addChannel({ id, type: 11, guild_id: guildId, parent_id: parent, ...(opts.name ? { name: opts.name } : {}) });
    },
    say({ user, channel, content, mention, replyTo }) {
      const place = world.channels.get(channel) ?? addChannel(channel);
      const author = world.user(user);
      const replied = replyTo ? world.messages.get(replyTo) : undefined;
      const message = world.addMessage({
        channel_id: channel,
        ...(place.guild_id !== undefined ? { guild_id: place.guild_id } : {}),
        author,
        content: mention ? `<@${bot.id}> ${content}` : content,
        mentions: mention ? [bot] : [],
        ...(replied ? { message_reference: { message_id: replied.id, channel_id: channel }, type: 19 } : {}),
      });
      gateway.dispatch("MESSAGE_CREATE", messageEvent(message, replied), { mentionsBot: mention === true || replied?.author.id === bot.id });
      return message;
    },
    redeliver(messageId) {
      const message = world.messages.get(messageId);
      if (!message) throw new Error(`no message ${messageId}`);
      const replied = message.message_reference ? world.messages.get(message.message_reference.message_id) : undefined;
      gateway.dispatch("MESSAGE_CREATE", messageEvent(message, replied), { mentionsBot: message.mentions.some((u) => u.id === bot.id) });
    },
    async slashCommand({ user, channel, text, name }) {
      const place = world.channels.get(channel) ?? addChannel(channel);
      const author = world.user(user);
      const interactionId = world.snowflake();
      const token = `aW50ZXJhY3Rpb246${interactionId}.emulated-token`;
      world.interactions.set(token, { id: interactionId, token, channelId: channel, followUps: [] });
      const payload: Record<string, unknown> = {
        id: interactionId,
        application_id: applicationId,
        type: 2,
        token,
        version: 1,
        data: { id: world.snowflake(), name: name ?? "ask", type: 1, options: [{ name: "prompt", type: 3, value: text }] },
        channel_id: channel,
        channel: { id: channel, type: place.type, ...(place.parent_id ? { parent_id: place.parent_id } : {}), ...(place.guild_id ? { guild_id: place.guild_id } : {}) },
        ...(place.guild_id !== undefined ? { guild_id: place.guild_id, member: { user: author, nick: null, roles: [] } } : { user: author }),
        locale: "en-US",
      };
      const started = Date.now();
      return interactionsUrl ? deliverOverHttp(interactionsUrl, JSON.stringify(payload), started, interactionId, token) : deliverOverGateway(payload, started, interactionId, token);
    },
    botMessages: (channel) => world.inChannel(channel).filter((m) => m.author.id === bot.id),
    interaction(token) {
      const interaction = world.interactions.get(token);
      if (!interaction) return undefined;
      const original = interaction.originalId ? world.messages.get(interaction.originalId) : undefined;
      return { ...interaction, ...(original ? { original } : {}), followUpMessages: interaction.followUps.map((id) => world.messages.get(id)!) };
    },
    injectRateLimit: (limit, count) => limits.inject(limit, count),
    get refusals() {
      return limits.refusals;
    },
    async close() {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return emulator;
}

function messageEvent(message: EmuMessage, replied: EmuMessage | undefined): Record<string, unknown> {
  const { history: _history, ...wire } = message;
  return { ...wire, ...(replied ? { referenced_message: { id: replied.id, author: replied.author, content: replied.content } } : {}) };
}
