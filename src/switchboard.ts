/**
 * The programmatic entry point: `createGateway(options)` assembles a gateway from config (or
 * from code), opens its store, starts its channels and, unless embedded, its HTTP server.
 * It also exposes the fetch handler and Node listener for mounting into an existing app, and
 * `send` / `stream` for talking to agents from code.
 */
import type { Server } from "node:http";
import type { Agent } from "./core/agent.ts";
import type { Channel } from "./core/channel.ts";
import { makeEnvelope } from "./core/envelope.ts";
import { ConfigError, RequestError, SwitchboardError } from "./core/errors.ts";
import { Gateway, type GatewayMiddleware } from "./core/gateway.ts";
import type { Logger } from "./core/log.ts";
import type { AccessPolicy } from "./core/access/policy.ts";
import { keyringSource, resolveKeyring, Vault } from "./core/secrets/index.ts";
import { createLogger } from "./core/log.ts";
import { awaitReply, streamReply, type Reply, type ReplyEvent } from "./core/reply-stream.ts";
import { randomUUID } from "node:crypto";
import type { Store } from "./store/store.ts";
import { openStore } from "./store/open.ts";
import { defaultConfig, parseConfig } from "./config/load.ts";
import { resolveAdminToken } from "./config/admin-token.ts";
import { agentReferenceIssues, type SwitchboardConfig, type SwitchboardConfigInput } from "./config/schema.ts";
import { agentFromConfig } from "./agents/from-config.ts";
import { createFunctionAgent, type AgentFunction } from "./agents/function/index.ts";
import { channelFromConfig } from "./channels/from-config.ts";
import { StoredChannelSync } from "./channels/stored/sync.ts";
import { ChannelAdmin } from "./channels/stored/admin.ts";
import type { ChannelConfig } from "./config/schema.ts";
import { ScheduleService } from "./core/schedules/service.ts";
import { sendFirst, type ProactiveResult, type ProactiveSend } from "./core/proactive.ts";
import { createMcpHandler, newAgentToken, type McpGrant } from "./mcp/index.ts";
import { gatewayMcpDeps } from "./mcp/gateway-deps.ts";
import { withGatewayTools } from "./mcp/agent-tools.ts";
import { createMetrics, type GatewayMetrics } from "./core/metrics/index.ts";
import { createTracing, type GatewayTracing } from "./core/tracing/index.ts";
import { abuseGuard, limitsFor } from "./core/abuse/index.ts";
import { SdkChannel } from "./channels/sdk/index.ts";
import { createFetchHandler, type FetchHandler } from "./server/handler.ts";
import { toNodeListener, type NodeListener } from "./server/node-adapter.ts";
import { attachUpgrades, listen, type RunningServer } from "./server/listen.ts";

export interface CreateGatewayOptions {
  /** Config in the shape of switchboard.yaml; the embedded default when absent. */
  config?: SwitchboardConfigInput;
  /** Where relative module paths in the config resolve; the working directory by default. */
  baseDir?: string;
  /** Use this store instead of opening `config.store`. */
  store?: Store;
  log?: Logger;
  /** false: don't open a port (the gateway is mounted into another server). */
  listen?: boolean;
}

/** Who a programmatic message is from, and where it goes: the same choices routing has. */
export interface SendOptions {
  /** The sender; one session per user unless `session` is given. */
  user?: string;
  /** Continue this session. */
  session?: string;
  /** Send to this agent instead of what the rules say. */
  agent?: string;
  /** Idempotency key: the same id twice gives one turn and one reply. */
  id?: string;
}

export class Switchboard {
  readonly config: SwitchboardConfig;
  private readonly options: CreateGatewayOptions;
  private readonly extraAgents: Agent[] = [];
  private readonly extraChannels: Channel[] = [];
  private readonly middleware: GatewayMiddleware[] = [];
  private readonly sdk = new SdkChannel();
  private readonly log: Logger;
  private core: Gateway | undefined;
  private server: RunningServer | undefined;
  private handler: FetchHandler | undefined;
  /** Read at start: `admin.token`, or the file `admin.tokenFile` names; none means the management API is off. */
  private adminToken: string | undefined;
  /** Channels created through the API or CLI, applied to the running gateway. */
  private storedChannels: StoredChannelSync | undefined;
  private channelAdmin: ChannelAdmin | undefined;
  private scheduleService: ScheduleService | undefined;
  private mcpGrants: ReadonlyArray<readonly [string, McpGrant]> = [];
  private metrics: GatewayMetrics | undefined;
  private tracing: GatewayTracing | undefined;

  constructor(config: SwitchboardConfig, options: CreateGatewayOptions) {
    this.config = config;
    this.options = options;
    this.log = options.log ?? createLogger();
  }

  /** The base URL once the server listens. */
  get url(): string | undefined {
    return this.server?.url;
  }

  get gateway(): Gateway {
    if (!this.core) throw new SwitchboardError("the gateway is not started", { status: 503 });
    return this.core;
  }

  addAgent(agent: Agent): this;
  addAgent(id: string, fn: AgentFunction): this;
  addAgent(agentOrId: Agent | string, fn?: AgentFunction): this {
    const agent = typeof agentOrId === "string" ? createFunctionAgent(agentOrId, fn!) : agentOrId;
    if (this.core) this.core.addAgent(agent);
    else this.extraAgents.push(agent);
    return this;
  }

  addChannel(channel: Channel): this {
    if (this.core) this.core.addChannel(channel);
    else this.extraChannels.push(channel);
    return this;
  }

  use(middleware: GatewayMiddleware): this {
    if (this.core) this.core.use(middleware);
    else this.middleware.push(middleware);
    return this;
  }

  async start(): Promise<this> {
    if (this.core) throw new SwitchboardError("the gateway is already started");
    const { config } = this;
    const baseDir = this.options.baseDir ?? process.cwd();
    const references = agentReferenceIssues(
      config,
      [...Object.keys(config.agents), ...this.extraAgents.map((a) => a.id)],
      [...Object.keys(config.channels), ...this.extraChannels.map((c) => c.id)],
    );
    if (references.length > 0) throw new ConfigError(references);
    this.adminToken = resolveAdminToken(config.admin, baseDir);
    const agentIds = () => [...Object.keys(config.agents), ...this.extraAgents.map((a) => a.id)];
    // Agents with gatewayTools reach this gateway's /mcp with a token of their own.
    const grants: Array<readonly [string, McpGrant]> = [];
    const agents = [
      ...(await Promise.all(
        Object.entries(config.agents).map(async ([id, c]) => {
          const agent = await agentFromConfig(id, c, { baseDir, agents: agentIds });
          if (!("gatewayTools" in c) || c.gatewayTools === undefined) return agent;
          const token = c.gatewayTools.token ?? newAgentToken();
          grants.push([token, { agent: id, channels: c.gatewayTools.channels, schedule: c.gatewayTools.schedule }]);
          return withGatewayTools(agent, token, () => this.url, this.log);
        }),
      )),
      ...this.extraAgents,
    ];
    this.mcpGrants = grants;
    // The master key for channel keys kept in the store: secrets.masterKeyFile or the environment.
    const keyring = resolveKeyring(keyringSource(config.secrets, baseDir));
    const vault = keyring ? new Vault(keyring) : undefined;
    const channels = [
      ...Object.entries(config.channels).filter(([, c]) => c.enabled !== false).map(([id, c]) => channelFromConfig(id, c, { baseDir, vault })),
      ...this.extraChannels,
      this.sdk,
    ];
    const store = this.options.store ?? (await openStore(config.store));
    const core = new Gateway({
      store,
      log: this.log,
      defaultAgent: config.defaultAgent,
      routes: config.routes,
      sessionTtlMs: config.session_ttl,
      dedupeTtlMs: config.dedupe_ttl,
      lanes: { ...config.lanes, turnTimeoutMs: config.lanes.turnTimeout, leaseTtlMs: config.lanes.leaseTtl },
      drainTimeoutMs: config.lanes.drainTimeout,
      outbox: { maxAttempts: config.outbox.maxAttempts, baseDelayMs: config.outbox.baseDelay, maxDelayMs: config.outbox.maxDelay },
      agentSettings: Object.fromEntries(Object.entries(config.agents).map(([id, c]) => [id, { busy: c.busy, turnTimeoutMs: c.turnTimeout }])),
      users: config.users,
      channelSettings: Object.fromEntries(Object.entries(config.channels).flatMap(([id, c]) => (c.agentSettings ? [[id, c.agentSettings]] : []))),
      identityLinks: config.identityLinks,
      access: Object.fromEntries(Object.entries(config.channels).flatMap(([id, c]) => (c.access ? [[id, accessPolicy(c.access)]] : []))),
    });
    // Metrics and traces see every message, those the access checks and limits refuse too.
    this.metrics = config.metrics.enabled ? createMetrics({ gateway: core, log: this.log }) : undefined;
    this.tracing = config.tracing.enabled ? await createTracing({ gateway: core, config: config.tracing, log: this.log }) : undefined;
    if (this.metrics) core.observe({ accept: this.metrics.acceptMiddleware, turn: this.metrics.turnMiddleware });
    if (this.tracing) core.observe({ accept: this.tracing.acceptMiddleware, turn: this.tracing.turnMiddleware });
    for (const agent of agents) core.addAgent(agent);
    for (const channel of channels) core.addChannel(channel);
    // Abuse limits come first: a refused message costs no other middleware any work.
    core.use({ accept: abuseGuard({ store, log: this.log, limits: (channel) => limitsFor(config.limits, channel) }) });
    for (const m of this.middleware) core.use(m);
    this.core = core;
    const storedChannels = new StoredChannelSync({
      store,
      gateway: core,
      vault,
      log: this.log,
      configIds: new Set(Object.keys(config.channels)),
      build: (id, c) => ({ channel: channelFromConfig(id, c, { baseDir, vault }), setup: channelSetup(c) }),
    });
    this.storedChannels = storedChannels;
    this.channelAdmin = new ChannelAdmin({
      store,
      vault,
      configChannels: config.channels,
      actor: "admin:api",
      changed: () => storedChannels.sync(),
      status: (id) => storedChannels.status(id),
    });
    try {
      await core.start();
      await storedChannels.start();
      // A dead gateway's scheduled run is taken over on the same clock as its lanes: three lease TTLs.
      this.scheduleService = new ScheduleService({ gateway: core, configSchedules: config.schedules, log: this.log, leaseMs: 3 * config.lanes.leaseTtl });
      await this.scheduleService.start();
      if (this.options.listen !== false) {
        this.server = await listen(core, this.fetch, { port: config.server.port, host: config.server.host });
      }
    } catch (error) {
      this.core = undefined;
      await core.stop().catch(() => undefined);
      await store.close().catch(() => undefined);
      throw error;
    }
    return this;
  }

  /** Stop the server and channels, let running turns finish, close the store. */
  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
    await this.storedChannels?.stop();
    await this.scheduleService?.stop();
    await this.core?.stop();
    this.metrics?.stop();
    // Exports the last spans.
    await this.tracing?.stop();
  }

  /** The fetch-style handler for mounting: `(request) => response`. */
  readonly fetch: FetchHandler = (request, context) => {
    this.handler ??= this.createHandler();
    return this.handler(request, context);
  };

  /** A Node request listener, optionally under a path prefix the host app does not strip. */
  nodeListener(options: { prefix?: string } = {}): NodeListener {
    return toNodeListener(options.prefix ? this.createHandler(options.prefix) : this.fetch);
  }

  /** Route WebSocket upgrades (`/v1/ws`) of a host app's server to the gateway. */
  attachUpgrades(server: Server, options: { prefix?: string } = {}): void {
    attachUpgrades(server, this.gateway, options);
  }

  async send(options: SendOptions, text: string): Promise<Reply> {
    const reply = await awaitReply(this.sdkContext(), this.sdkEnvelope(options, text));
    if ("type" in reply) throw new RequestError(reply.httpStatus, reply.reason);
    return reply;
  }

  stream(options: SendOptions, text: string): AsyncIterable<ReplyEvent> {
    return streamReply(this.sdkContext(), this.sdkEnvelope(options, text));
  }

  /** Send first: `to` on `channel` (a Slack channel, an email address, …) gets `text`, through the outbox. */
  sendFirst(message: Omit<ProactiveSend, "by"> & { by?: string }): Promise<ProactiveResult> {
    return sendFirst(this.gateway, { by: "code", ...message });
  }

  /** The schedules of the running gateway: list, create, run-now, pause, resume. */
  get schedules(): ScheduleService {
    if (!this.scheduleService) throw new SwitchboardError("the gateway is not started", { status: 503 });
    return this.scheduleService;
  }

  /** Talk straight to a sub-agent an agent exposed (the `subagentId` of a `subagent.exposed` event). */
  async sendToSubagent(subagentId: string, text: string, options: Omit<SendOptions, "session" | "agent"> = {}): Promise<Reply> {
    return this.send({ ...options, session: await this.exposedSession(subagentId, options.user) }, text);
  }

  async *streamToSubagent(subagentId: string, text: string, options: Omit<SendOptions, "session" | "agent"> = {}): AsyncIterable<ReplyEvent> {
    yield* this.stream({ ...options, session: await this.exposedSession(subagentId, options.user) }, text);
  }

  private async exposedSession(subagentId: string, user = "local"): Promise<string> {
    const exposure = await this.gateway.store.getExposure(subagentId);
    if (!exposure || exposure.userId !== user) throw new RequestError(404, `no sub-agent "${subagentId}" for this user`);
    return exposure.sessionId;
  }

  private createHandler(prefix?: string): FetchHandler {
    let inner: { core: Gateway; handle: FetchHandler } | undefined;
    return async (request, context) => {
      const core = this.core;
      if (!core) return Response.json({ error: "the gateway is not running" }, { status: 503 });
      if (inner?.core !== core) {
        const options = {
          bodyLimit: this.config.server.bodyLimit,
          prefix,
          adminToken: this.adminToken,
          ...(this.channelAdmin ? { channels: this.channelAdmin } : {}),
          ...(this.scheduleService ? { schedules: this.scheduleService } : {}),
          ...(this.mcpGrants.length > 0 ? { mcp: this.mcpHandler() } : {}),
          ...(this.metrics ? { metrics: { source: this.metrics, public: this.config.metrics.public } } : {}),
        };
        inner = { core, handle: createFetchHandler(core, options) };
      }
      return inner.handle(request, context);
    };
  }

  private mcpHandler() {
    const deps = gatewayMcpDeps({ gateway: () => this.gateway, schedules: () => this.schedules, grants: this.mcpGrants });
    return createMcpHandler(deps, { log: this.log.child({ component: "mcp" }) });
  }

  private sdkContext() {
    const ctx = this.sdk.context;
    if (!ctx) throw new SwitchboardError("the gateway is not started", { status: 503 });
    return ctx;
  }

  private sdkEnvelope(options: SendOptions, text: string) {
    return makeEnvelope({
      channel: this.sdk.id,
      source: this.sdk.type,
      eventId: options.id ?? randomUUID(),
      sender: { id: options.user ?? "local" },
      text,
      hints: { session: options.session, agent: options.agent },
    });
  }
}

/** Assemble a gateway from raw config (as in switchboard.yaml) or the embedded default. */
export function createGateway(options: CreateGatewayOptions = {}): Switchboard {
  const config = options.config === undefined ? defaultConfig() : parseConfig(options.config, { deferAgentChecks: true });
  return new Switchboard(config, options);
}

/** Assemble a gateway from config that was already loaded and validated (the CLI's path). */
export function createGatewayFromConfig(config: SwitchboardConfig, options: Omit<CreateGatewayOptions, "config"> = {}): Switchboard {
  return new Switchboard(config, options);
}

/** What the gateway keeps beside a channel added at run time: its access policy and agent settings. */
function channelSetup(c: ChannelConfig) {
  return { access: c.access ? accessPolicy(c.access) : undefined, agentSettings: c.agentSettings };
}

/** A channel's `access` config as the core's policy. */
function accessPolicy(access: NonNullable<SwitchboardConfig["channels"][string]["access"]>): AccessPolicy {
  return { policy: access.policy, allow: access.allow, groups: access.groups, unmatched: access.unmatched, pairing: { ttlMs: access.pairing.ttl, maxPending: access.pairing.maxPending } };
}
