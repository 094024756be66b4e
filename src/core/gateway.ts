/**
 * The gateway: the pipeline in one place. Ingress (channels) → accept (dedupe, route, session,
 * inbox; one transaction) → lane (one turn per session) → turn (agent events) → egress (outbox
 * worker → channel). It owns no platform and no storage engine: channels, agents and the store
 * are handed to it.
 */
import { randomUUID } from "node:crypto";
import type { Agent } from "./agent.ts";
import type { Channel, ChannelContext } from "./channel.ts";
import type { AcceptContext, AcceptResult } from "./accept.ts";
import { createAccept } from "./accept.ts";
import type { Envelope } from "./envelope.ts";
import { GatewayEvents } from "./events.ts";
import { SessionLanes } from "./lanes.ts";
import { LaneLeases } from "./lane-lease.ts";
import { bridgeEvents } from "./event-bridge.ts";
import { authorizeSenders } from "./access/authorize.ts";
import { AuditLog } from "./audit.ts";
import type { AccessPolicy } from "./access/policy.ts";
import { identityResolver, type IdentityLinks } from "./access/identity.ts";
import type { Logger } from "./log.ts";
import { createLogger } from "./log.ts";
import type { Middleware } from "./middleware.ts";
import { OutboxWorker } from "./outbox.ts";
import type { RouteRule } from "./router.ts";
import { Router } from "./router.ts";
import type { BusyPolicy, TurnContext } from "./turn.ts";
import { TurnRunner } from "./turn.ts";
import type { Store } from "../store/store.ts";
import { SwitchboardError } from "./errors.ts";
import type { AgentSettings } from "./agent.ts";
import { createDelegate } from "./delegation.ts";
import { InternalChannel, SUBAGENT_CHANNEL } from "./internal-channel.ts";
import { StreamRelay } from "./stream-relay.ts";
import { findUser, mergeSettings, type UserSettings } from "./settings.ts";

export interface GatewayOptions {
  store: Store;
  defaultAgent?: string;
  routes?: RouteRule[];
  sessionTtlMs?: number;
  dedupeTtlMs?: number;
  lanes?: {
    concurrency?: number;
    busy?: BusyPolicy;
    turnTimeoutMs?: number;
    maxPendingPerSession?: number;
    /** On a shared store: how long a session's lane outlives its gateway's last heartbeat. */
    leaseTtlMs?: number;
  };
  outbox?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Per-agent overrides of the busy policy and turn timeout. */
  agentSettings?: Record<string, { busy?: BusyPolicy; turnTimeoutMs?: number }>;
  /** Per-user settings and Unix users, keyed by sender id or email. */
  users?: Record<string, UserSettings>;
  /** Per-channel agent settings; they win over the user's. */
  channelSettings?: Record<string, AgentSettings>;
  /** How long `stop()` lets running turns finish before aborting them (they resume on restart). */
  drainTimeoutMs?: number;
  /** Who may talk through each channel, by channel id; channels without a policy are not checked. */
  access?: Record<string, AccessPolicy>;
  /** One person's ids across platforms, joined into one gateway user. */
  identityLinks?: IdentityLinks;
  log?: Logger;
}

/** What a channel added at run time brings besides itself: what `access` and `channelSettings` hold for config channels. */
export interface ChannelSetup {
  access?: AccessPolicy | undefined;
  agentSettings?: AgentSettings | undefined;
}

export interface GatewayMiddleware {
  accept?: Middleware<AcceptContext>;
  turn?: Middleware<TurnContext>;
}

/** How long audit entries are kept. */
const AUDIT_RETENTION_MS = 90 * 86_400_000;

export class Gateway {
  readonly store: Store;
  readonly events = new GatewayEvents();
  readonly log: Logger;
  /** This process among the gateways sharing a store: the holder of its leases. */
  readonly instanceId = randomUUID();
  /** Who was let in or turned away, who approved whom (batched into the store). */
  readonly audit: AuditLog;
  private readonly options: GatewayOptions;
  private readonly agents = new Map<string, Agent>();
  private readonly channels = new Map<string, Channel>();
  private readonly channelSetups = new Map<string, ChannelSetup>();
  private readonly acceptMiddleware: Middleware<AcceptContext>[] = [];
  /** Middleware that sees every message, the ones access checks refuse too (metrics, traces). */
  private readonly observers: GatewayMiddleware[] = [];
  private readonly turnMiddleware: Middleware<TurnContext>[] = [];
  private readonly lanes: SessionLanes;
  private readonly turns: TurnRunner;
  private readonly outbox: OutboxWorker;
  /** Set on a shared store: lanes are leased for this long. */
  private readonly leaseTtlMs: number | undefined;
  private router: Router | undefined;
  private acceptFn: ((envelope: Envelope) => Promise<AcceptResult>) | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private resumer: NodeJS.Timeout | undefined;
  private state: "idle" | "running" | "stopping" | "stopped" = "idle";

  constructor(options: GatewayOptions) {
    this.options = options;
    this.store = options.store;
    this.log = options.log ?? createLogger();
    this.audit = new AuditLog({ store: this.store, log: this.log });
    const lanes = options.lanes ?? {};
    this.turns = new TurnRunner({
      store: this.store,
      events: this.events,
      log: this.log,
      agent: (id) => this.agents.get(id),
      channel: (id) => this.channels.get(id),
      busyPolicy: (agent) => this.options.agentSettings?.[agent]?.busy ?? lanes.busy ?? "queue",
      turnTimeoutMs: (agent) => this.options.agentSettings?.[agent]?.turnTimeoutMs ?? lanes.turnTimeoutMs ?? 600_000,
      middleware: this.turnMiddleware,
      relay: new StreamRelay(this.log),
      resolveUser: (sender, channel) => {
        const user = findUser(this.options.users, sender);
        const channelSettings = this.channelSetups.get(channel)?.agentSettings ?? this.options.channelSettings?.[channel];
        return { settings: mergeSettings(user?.agentSettings, channelSettings), unixUser: user?.unixUser };
      },
      delegate: (parent) =>
        createDelegate(
          {
            store: this.store,
            events: this.events,
            knownAgents: () => new Set(this.agents.keys()),
            wakeNested: (sessionId) => this.lanes.wakeNested(sessionId),
            sessionTtlMs: this.options.sessionTtlMs ?? 24 * 3_600_000,
            dedupeTtlMs: this.options.dedupeTtlMs ?? 7 * 86_400_000,
          },
          parent,
        ),
      maxAttempts: 3,
      onCommitted: () => this.outbox.kick(),
    });
    const leases = this.store.shared ? new LaneLeases({ store: this.store, log: this.log }, this.instanceId, lanes.leaseTtlMs ?? 10_000) : undefined;
    this.lanes = new SessionLanes({
      concurrency: lanes.concurrency ?? 16,
      runTurn: (sessionId, lease) => this.turns.run(sessionId, lease),
      onError: (sessionId, error) => this.log.error("turn crashed", { sessionId, error }),
      ...(leases && {
        leases: {
          acquire: (sessionId) => leases.acquire(sessionId),
          hasPending: async (sessionId) => (await this.store.pendingInbox(sessionId, 1)).length > 0,
        },
      }),
    });
    this.leaseTtlMs = leases?.ttlMs;
    const outbox = options.outbox ?? {};
    this.outbox = new OutboxWorker(
      { store: this.store, channel: (id) => this.channels.get(id), events: this.events, log: this.log },
      { maxAttempts: outbox.maxAttempts ?? 8, baseDelayMs: outbox.baseDelayMs ?? 1000, maxDelayMs: outbox.maxDelayMs ?? 300_000, holder: this.instanceId },
    );
    this.channels.set(SUBAGENT_CHANNEL, new InternalChannel(SUBAGENT_CHANNEL));
  }

  addAgent(agent: Agent): this {
    if (this.agents.has(agent.id)) throw new SwitchboardError(`agent "${agent.id}" is already registered`);
    this.agents.set(agent.id, agent);
    return this;
  }

  addChannel(channel: Channel, setup?: ChannelSetup): this {
    if (this.channels.has(channel.id)) throw new SwitchboardError(`channel "${channel.id}" is already registered`);
    this.channels.set(channel.id, channel);
    if (setup) this.channelSetups.set(channel.id, setup);
    if (this.state === "running") void this.startChannel(channel);
    return this;
  }

  /**
   * Stop a channel and forget it (a stored channel deleted or edited). Messages it accepted stay
   * in the store: their turns run, and replies wait in the outbox until a channel of that id is back.
   */
  async removeChannel(id: string): Promise<boolean> {
    const channel = this.channels.get(id);
    if (!channel || id === SUBAGENT_CHANNEL) return false;
    this.channels.delete(id);
    this.channelSetups.delete(id);
    await channel.stop().catch((error: unknown) => this.log.error("channel did not stop cleanly", { channel: id, error }));
    return true;
  }

  /** Like `use`, but ahead of the sender checks: it sees every message and every outcome. */
  observe(middleware: GatewayMiddleware): this {
    if (this.state !== "idle") throw new SwitchboardError("observers are added before the gateway starts");
    this.observers.push(middleware);
    return this;
  }

  use(middleware: GatewayMiddleware): this {
    if (middleware.accept) this.acceptMiddleware.push(middleware.accept);
    if (middleware.turn) this.turnMiddleware.push(middleware.turn);
    return this;
  }

  getChannel(id: string): Channel | undefined {
    return this.channels.get(id);
  }

  listChannels(): Channel[] {
    return [...this.channels.values()];
  }

  listAgents(): Agent[] {
    return [...this.agents.values()];
  }

  get running(): boolean {
    return this.state === "running";
  }

  get stats(): { activeTurns: number; queuedSessions: number } {
    return { activeTurns: this.lanes.activeTurns, queuedSessions: this.lanes.queuedSessions };
  }

  /** The durable accept; channels call it through their context. */
  accept(envelope: Envelope): Promise<AcceptResult> {
    if (!this.acceptFn) throw new SwitchboardError("the gateway is not started", { status: 503 });
    return this.acceptFn(envelope);
  }

  /** What a channel sees of the gateway. */
  channelContext(channel: Channel): ChannelContext {
    return {
      accept: (envelope) => this.accept(envelope),
      lookup: (channelId, eventId) => this.store.getMessage(channelId, eventId),
      sessions: {
        get: (id) => this.store.getSession(id),
        transcript: (id) => this.store.getTranscript(id),
      },
      subagents: { get: (id) => this.store.getExposure(id) },
      leases: {
        acquire: (name, ttlMs) => this.store.acquireLease(name, this.instanceId, ttlMs),
        release: (name) => this.store.releaseLease(name, this.instanceId),
      },
      state: {
        get: (key) => this.store.getChannelState(channel.id, key),
        set: (key, value) => this.store.setChannelState(channel.id, key, value),
      },
      events: this.events,
      log: this.log.child({ channel: channel.id }),
    };
  }

  async start(): Promise<void> {
    if (this.state !== "idle") throw new SwitchboardError(`the gateway cannot start: it is ${this.state}`);
    const defaultAgent = this.options.defaultAgent ?? this.agents.keys().next().value;
    if (defaultAgent === undefined) throw new SwitchboardError("no agent is configured: add one before starting");
    if (!this.agents.has(defaultAgent)) throw new SwitchboardError(`defaultAgent "${defaultAgent}" is not registered`);
    this.router = new Router(this.options.routes ?? [], defaultAgent);
    const lanes = this.options.lanes ?? {};
    // Senders are linked to their gateway user, then checked, before any other middleware.
    const identify = identityResolver(this.options.identityLinks);
    this.turnMiddleware.unshift(...this.observers.flatMap((o) => (o.turn ? [o.turn] : [])));
    this.acceptMiddleware.unshift(
      ...this.observers.flatMap((o) => (o.accept ? [o.accept] : [])),
      async (ctx, next) => {
        const identity = identify(ctx.envelope);
        if (identity !== undefined) ctx.envelope.sender.identity = identity;
        await next();
      },
      authorizeSenders({
        store: this.store,
        policyOf: (id) => (this.channelSetups.has(id) ? this.channelSetups.get(id)!.access : this.options.access?.[id]),
        channel: (id) => this.channels.get(id),
        events: this.events,
        log: this.log,
        audit: (entry) => this.audit.record(entry),
      }),
    );
    this.acceptFn = createAccept({
      store: this.store,
      router: this.router,
      knownAgents: () => new Set(this.agents.keys()),
      channelStrategy: (id) => this.channels.get(id)?.threadStrategy,
      middleware: this.acceptMiddleware,
      sessionTtlMs: this.options.sessionTtlMs ?? 24 * 3_600_000,
      dedupeTtlMs: this.options.dedupeTtlMs ?? 7 * 86_400_000,
      maxPendingPerSession: lanes.maxPendingPerSession ?? 1000,
      onAccepted: (result, newSession) => {
        this.events.publish({ type: "accepted", messageKey: result.messageKey, messageId: result.messageId, sessionId: result.sessionId, newSession });
        // The running turn may be on another gateway of a shared store: the event reaches it there.
        if (this.turns.busyPolicyOf(result.agent) === "interrupt" && (this.lanes.isRunning(result.sessionId) || this.store.shared)) {
          this.events.publish({ type: "session.interrupt", sessionId: result.sessionId });
        }
        this.lanes.wake(result.sessionId);
      },
    });
    this.events.subscribe(
      (event) => {
        if (event.type === "session.interrupt" && this.lanes.isRunning(event.sessionId)) this.turns.interrupt(event.sessionId);
      },
      { remote: true },
    );
    // Clients waiting here for a reply follow turns that another gateway on the store runs.
    if (this.store.sharedEvents) await bridgeEvents(this.events, this.store.sharedEvents, this.instanceId, this.log);
    this.state = "running";
    this.outbox.start();
    // Resume what a crash or restart left: pending inbox items run, unsent outbox items go out.
    await this.resumePending();
    if (this.leaseTtlMs !== undefined) {
      // On a shared store, a gateway that died leaves sessions with pending messages and a lane
      // that expires: look for them regularly, so another gateway takes them over.
      this.resumer = setInterval(() => void this.resumePending(), Math.max(500, this.leaseTtlMs / 2));
      this.resumer.unref();
    }
    await Promise.all([...this.channels.values()].map((channel) => this.startChannel(channel)));
    this.sweeper = setInterval(() => void this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Stop taking messages, let running turns finish (up to the drain timeout), then close. */
  async stop(): Promise<void> {
    if (this.state !== "running") return;
    this.state = "stopping";
    clearInterval(this.sweeper);
    clearInterval(this.resumer);
    await Promise.allSettled([...this.channels.values()].map((channel) => channel.stop()));
    const drained = this.lanes.drain();
    const timeout = setTimeout(() => this.turns.abortAll("shutdown"), this.options.drainTimeoutMs ?? 10_000);
    await drained;
    clearTimeout(timeout);
    await this.outbox.stop();
    await this.audit.flush();
    await this.store.close();
    this.state = "stopped";
  }

  /** Wake every session with pending messages; those running here or elsewhere are left as they are. */
  private async resumePending(): Promise<void> {
    try {
      for (const sessionId of await this.store.sessionsWithPending()) this.lanes.wake(sessionId);
    } catch (error) {
      this.log.error("could not look for pending sessions", { error });
    }
  }

  /** Evict idle sessions and expired dedupe keys; runs every minute. */
  async sweep(now = Date.now()): Promise<{ sessions: number; dedupe: number }> {
    try {
      let sessions = 0;
      let batch: number;
      do {
        batch = await this.store.evictExpired(now, 500);
        sessions += batch;
      } while (batch > 0);
      const dedupe = await this.store.pruneDedupe(now);
      await this.store.pruneAudit(now - AUDIT_RETENTION_MS);
      if (sessions || dedupe) this.log.info("evicted idle state", { sessions, dedupeKeys: dedupe });
      return { sessions, dedupe };
    } catch (error) {
      this.log.error("eviction failed", { error });
      return { sessions: 0, dedupe: 0 };
    }
  }

  private async startChannel(channel: Channel): Promise<void> {
    try {
      await channel.start(this.channelContext(channel));
      this.outbox.kick();
    } catch (error) {
      // One channel failing to connect must not take the others (or the process) down.
      this.log.error("channel failed to start", { channel: channel.id, error });
    }
  }
}
