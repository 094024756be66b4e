/**
 * OpenTelemetry traces of a message's way through the gateway, off by default: a span for its
 * accept (ingress), one for the turn that answers it with the agent's run inside, and one per
 * delivery attempt of the reply (egress). They form one trace, linked by the message key, when
 * the whole path runs in this process; a turn merging several messages links to the others'
 * accepts. Collected like metrics, through an accept middleware, a turn middleware and the bus.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link, type Span, type SpanContext } from "@opentelemetry/api";
import type { AcceptContext } from "../accept.ts";
import type { AbortReason, TurnContext } from "../turn.ts";
import type { GatewayEvent, GatewayEvents } from "../events.ts";
import { messageKey } from "../envelope.ts";
import { scrub, type Logger } from "../log.ts";
import type { Middleware } from "../middleware.ts";
import type { TracingConfig } from "../../config/observability.ts";
import { createTracer } from "./provider.ts";
import { Recent } from "./recent.ts";

export interface GatewayTracing {
  /** Spans each message's accept; like the metrics middleware, it sees the refusals of middleware after it. */
  acceptMiddleware: Middleware<AcceptContext>;
  turnMiddleware: Middleware<TurnContext>;
  /** Export the spans that have ended. */
  flush(): Promise<void>;
  /** Stop listening and export what is left. */
  stop(): Promise<void>;
}

/** Contexts kept for a turn or delivery still to come; past this, the oldest are forgotten. */
const REMEMBERED = 10_000;

interface TurnTrace {
  context: SpanContext;
  messageKeys: string[];
}

export async function createTracing(deps: { gateway: { readonly events: GatewayEvents }; config: TracingConfig; log: Logger }): Promise<GatewayTracing> {
  const { tracer, flush, shutdown } = await createTracer(deps.config);
  const under = (parent: SpanContext | undefined) => (parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT);
  /** Accept spans of messages whose turn has not started, by message key. */
  const accepted = new Recent<string, SpanContext>(REMEMBERED);
  /** Turns running here, by turn id. */
  const running = new Map<string, Span>();
  /** Ended turns whose replies may still be delivering, by turn id. */
  const answered = new Recent<string, TurnTrace>(REMEMBERED);

  const startTurn = (event: Extract<GatewayEvent, { type: "turn.started" }>) => {
    const [first, ...rest] = event.messageKeys.map((key) => accepted.take(key));
    const links: Link[] = rest.flatMap((context) => (context ? [{ context }] : []));
    const span = tracer.startSpan(
      "switchboard.turn",
      { kind: SpanKind.INTERNAL, links, attributes: { "switchboard.session_id": event.sessionId, "switchboard.turn_id": event.turnId, ...keyAttributes(event.messageKeys) } },
      under(first),
    );
    running.set(event.turnId, span);
  };

  const endTurn = (turnId: string, status: string, messageKeys: string[]) => {
    const span = running.get(turnId);
    if (!span) return;
    running.delete(turnId);
    span.setAttribute("switchboard.status", status);
    if (status !== "done" && status !== "interrupted") span.setStatus({ code: SpanStatusCode.ERROR, message: status });
    span.end();
    answered.set(turnId, { context: span.spanContext(), messageKeys });
  };

  const recordDelivery = (event: Extract<GatewayEvent, { type: "delivery.sent" | "delivery.retry" | "delivery.failed" }>) => {
    const turnId = event.key.slice(0, event.key.lastIndexOf(":"));
    const turn = answered.get(turnId);
    const now = Date.now();
    const span = tracer.startSpan(
      "switchboard.delivery",
      {
        kind: SpanKind.CLIENT,
        startTime: now - event.ms,
        attributes: {
          "switchboard.channel": event.channel,
          "switchboard.session_id": event.sessionId,
          "switchboard.turn_id": turnId,
          "switchboard.outbox_id": event.outboxId,
          "switchboard.attempt": event.attempts,
          "switchboard.outcome": event.type.slice("delivery.".length),
          ...(turn ? keyAttributes(turn.messageKeys) : {}),
        },
      },
      under(turn?.context),
    );
    // A platform's error text can quote what was sent to it; it is scrubbed like a log line.
    if (event.type === "delivery.failed") span.setStatus({ code: SpanStatusCode.ERROR, message: scrub(event.error) });
    if (event.type === "delivery.retry") span.setStatus({ code: SpanStatusCode.ERROR, message: `retrying in ${event.retryInMs} ms` });
    span.end(now);
  };

  const unsubscribe = deps.gateway.events.subscribe((event) => {
    switch (event.type) {
      case "turn.started":
        return startTurn(event);
      case "turn.completed":
        return endTurn(event.turnId, event.status, event.messageKeys);
      case "delivery.sent":
      case "delivery.retry":
      case "delivery.failed":
        return recordDelivery(event);
    }
  });

  const acceptMiddleware: Middleware<AcceptContext> = async (ctx, next) => {
    const { envelope } = ctx;
    const key = messageKey(envelope.channel, envelope.eventId);
    const span = tracer.startSpan("switchboard.accept", {
      kind: SpanKind.CONSUMER,
      attributes: { "switchboard.channel": envelope.channel, "switchboard.message_key": key },
    });
    try {
      await next();
    } catch (error) {
      span.setAttribute("switchboard.outcome", "error");
      span.setStatus({ code: SpanStatusCode.ERROR, message: scrub(error instanceof Error ? error.message : String(error)) });
      span.end();
      throw error;
    }
    const result = ctx.result;
    span.setAttribute("switchboard.outcome", result?.status ?? "rejected");
    if (result?.status === "rejected") span.setAttribute("http.response.status_code", result.httpStatus);
    else if (result !== undefined) span.setAttribute("switchboard.session_id", result.sessionId);
    span.end();
    // Only a newly accepted message starts a turn; a duplicate's turn belongs to the original's trace.
    if (result?.status === "accepted") accepted.set(key, span.spanContext());
  };

  const turnMiddleware: Middleware<TurnContext> = async (ctx, next) => {
    const turnId = ctx.input.turnId;
    const span = tracer.startSpan(
      "switchboard.agent",
      { kind: SpanKind.INTERNAL, attributes: { "switchboard.agent": ctx.agent.id, "switchboard.session_id": ctx.input.sessionId, "switchboard.turn_id": turnId } },
      under(running.get(turnId)?.spanContext()),
    );
    try {
      await next();
    } finally {
      const status = ctx.status ?? abortStatus(ctx.input.signal);
      span.setAttribute("switchboard.status", status);
      if (status !== "done" && status !== "interrupted") span.setStatus({ code: SpanStatusCode.ERROR, message: status });
      span.end();
      // A turn cut off by a shutdown or a lost lane is never completed here: end its span now.
      if (status === "shutdown" || status === "lane-lost") endTurn(turnId, status, []);
    }
  };

  let stopped = false;
  return {
    acceptMiddleware,
    turnMiddleware,
    flush,
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      for (const span of running.values()) span.end();
      running.clear();
      accepted.clear();
      answered.clear();
      await shutdown().catch((error: unknown) => deps.log.warn("could not export the last spans", { error }));
    },
  };
}

function keyAttributes(keys: string[]): Record<string, string | string[]> {
  if (keys.length === 0) return {};
  return keys.length === 1 ? { "switchboard.message_key": keys[0]! } : { "switchboard.message_key": keys[0]!, "switchboard.message_keys": keys };
}

function abortStatus(signal: AbortSignal): string {
  if (!signal.aborted) return "failed";
  const reason = signal.reason as AbortReason;
  return reason === "interrupt" ? "interrupted" : reason;
}
