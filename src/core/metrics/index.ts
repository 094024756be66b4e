/**
 * Prometheus metrics of one gateway. They are collected only through what the core offers to
 * anyone: an accept middleware (the outcome of each message), a turn middleware (time around the
 * agent) and the event bus (lane depth, deliveries, their retries and failures). `render()` is the
 * `/metrics` body: this gateway's metrics followed by the process's.
 */
import { Registry } from "prom-client";
import type { AcceptContext, AcceptResult } from "../accept.ts";
import type { AbortReason, TurnContext } from "../turn.ts";
import type { GatewayEvents } from "../events.ts";
import type { Logger } from "../log.ts";
import type { Middleware } from "../middleware.ts";
import { SwitchboardError } from "../errors.ts";
import { defineInstruments, type AcceptOutcome, type TurnOutcome } from "./instruments.ts";
import { PendingSessions } from "./pending-sessions.ts";
import { processRegistry } from "./process-metrics.ts";

/** What metrics read of a gateway: its bus and its lane counters. */
export interface MetricsSource {
  readonly events: GatewayEvents;
  readonly stats: { activeTurns: number; queuedSessions: number };
}

export interface GatewayMetrics {
  /**
   * Counts each message's outcome. It sees the refusals of middleware that runs after it, so it
   * belongs before the abuse guard (and, to count access refusals, before the access check).
   */
  acceptMiddleware: Middleware<AcceptContext>;
  turnMiddleware: Middleware<TurnContext>;
  render(): Promise<{ contentType: string; body: string }>;
  /** Stop listening to the gateway; safe to call twice. */
  stop(): void;
}

export { type AcceptOutcome, type TurnOutcome } from "./instruments.ts";

export function createMetrics(deps: { gateway: MetricsSource; log: Logger }): GatewayMetrics {
  const { gateway, log } = deps;
  const registry = new Registry();
  const metrics = defineInstruments(registry, () => gateway.stats);
  const pending = new PendingSessions();

  const unsubscribeLocal = gateway.events.subscribe((event) => {
    switch (event.type) {
      case "accepted":
        pending.accepted(event.sessionId);
        break;
      case "turn.started":
        metrics.queueDepth.observe(pending.depthAtTurnStart(event.sessionId, event.messageKeys.length));
        break;
      case "delivery.sent":
        metrics.deliveriesSent.inc({ channel: event.channel });
        break;
      case "delivery.retry":
        metrics.deliveryRetries.inc({ channel: event.channel });
        break;
      case "delivery.failed":
        metrics.deliveryFailures.inc({ channel: event.channel });
        break;
    }
  });
  // A message accepted here may be answered by another gateway of a shared store: its completion arrives as a remote event.
  const unsubscribeCompletions = gateway.events.subscribe(
    (event) => {
      if (event.type === "turn.completed") pending.completed(event.sessionId, event.messageKeys.length);
    },
    { remote: true },
  );

  const acceptMiddleware: Middleware<AcceptContext> = async (ctx, next) => {
    const channel = ctx.envelope.channel;
    try {
      await next();
    } catch (error) {
      metrics.messages.inc({ channel, outcome: thrownOutcome(error) });
      throw error;
    }
    metrics.messages.inc({ channel, outcome: acceptOutcome(ctx.result) });
  };

  const turnMiddleware: Middleware<TurnContext> = async (ctx, next) => {
    const endTimer = metrics.turnDuration.startTimer();
    try {
      await next();
    } finally {
      endTimer({ agent: ctx.agent.id, status: turnOutcome(ctx) });
    }
  };

  let stopped = false;
  return {
    acceptMiddleware,
    turnMiddleware,
    async render() {
      // The process's metrics under their standard names (process_*, nodejs_*), so stock dashboards work.
      const [own, shared] = await Promise.all([registry.metrics(), processRegistry().metrics()]);
      return { contentType: registry.contentType, body: `${own}\n${shared}` };
    },
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribeLocal();
      unsubscribeCompletions();
      registry.clear();
      log.debug("metrics stopped");
    },
  };
}

function acceptOutcome(result: AcceptResult | undefined): AcceptOutcome {
  // No result: a middleware returned without calling next() or rejecting; the accept refuses it.
  if (result === undefined) return "rejected";
  return result.status;
}

/** A request error (an unknown agent, another user's session) is a refusal; anything else failed. */
function thrownOutcome(error: unknown): AcceptOutcome {
  return error instanceof SwitchboardError && error.status < 500 ? "rejected" : "error";
}

function turnOutcome(ctx: TurnContext): TurnOutcome {
  if (ctx.status !== undefined) return ctx.status;
  const signal = ctx.input.signal;
  if (!signal.aborted) return "failed"; // the middleware chain threw before the agent finished
  const reason = signal.reason as AbortReason;
  return reason === "interrupt" ? "interrupted" : reason;
}
