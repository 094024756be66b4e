/**
 * The gateway's metrics, defined on one registry per gateway (several gateways share a process
 * in tests and in embedders' apps, and the global default registry would mix them). Label
 * values come from configuration (channel, agent ids) or fixed sets, never from message content.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** What became of a message at accept. `error`: the accept itself failed (the store), the platform will retry. */
export type AcceptOutcome = "accepted" | "duplicate" | "rejected" | "error";

/** How a turn ended: the committed status, or why it was cut short. */
export type TurnOutcome = "done" | "failed" | "interrupted" | "timeout" | "shutdown" | "lane-lost";

export interface GatewayInstruments {
  messages: Counter<"channel" | "outcome">;
  queueDepth: Histogram;
  turnDuration: Histogram<"agent" | "status">;
  deliveriesSent: Counter<"channel">;
  deliveryRetries: Counter<"channel">;
  deliveryFailures: Counter<"channel">;
}

export function defineInstruments(registry: Registry, stats: () => { activeTurns: number; queuedSessions: number }): GatewayInstruments {
  const registers = [registry];
  new Gauge({
    name: "switchboard_active_sessions",
    help: "Sessions with a running turn or waiting for a turn slot on this gateway.",
    registers,
    collect() {
      const { activeTurns, queuedSessions } = stats();
      this.set(activeTurns + queuedSessions);
    },
  });
  new Gauge({
    name: "switchboard_turns_running",
    help: "Turns running now on this gateway (at most lanes.concurrency).",
    registers,
    collect() {
      this.set(stats().activeTurns);
    },
  });
  return {
    messages: new Counter({
      name: "switchboard_messages_total",
      help: "Inbound messages by channel and outcome of the durable accept: accepted, duplicate (deduped redelivery), rejected, error.",
      labelNames: ["channel", "outcome"],
      registers,
    }),
    queueDepth: new Histogram({
      name: "switchboard_lane_queue_depth",
      help: "Messages waiting in a session's lane when one of its turns starts, that turn's included.",
      buckets: [1, 2, 3, 5, 10, 20, 50, 100, 250, 1000],
      registers,
    }),
    turnDuration: new Histogram({
      name: "switchboard_turn_duration_seconds",
      help: "Time an agent spent on a turn, by agent and how the turn ended.",
      labelNames: ["agent", "status"],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    deliveriesSent: new Counter({
      name: "switchboard_deliveries_sent_total",
      help: "Outbound messages (and edits) the platform accepted, by channel.",
      labelNames: ["channel"],
      registers,
    }),
    deliveryRetries: new Counter({
      name: "switchboard_delivery_retries_total",
      help: "Outbound deliveries that failed and were scheduled for another attempt, by channel.",
      labelNames: ["channel"],
      registers,
    }),
    deliveryFailures: new Counter({
      name: "switchboard_delivery_failures_total",
      help: "Outbound deliveries given up for good (not retryable, or out of attempts), by channel.",
      labelNames: ["channel"],
      registers,
    }),
  };
}
