/**
 * The in-process event bus. Turns publish their agent events here as they happen, so streaming
 * transports (SSE, WebSocket, web chat) can forward them; listeners subscribe per message key
 * (`channel:eventId`) so a busy gateway never fans every event out to every listener.
 */
import type { AgentEvent } from "./agent.ts";
import type { InboxStatus } from "../store/store.ts";

export type GatewayEvent =
  | { type: "accepted"; messageKey: string; messageId: string; sessionId: string; newSession: boolean }
  | { type: "turn.started"; turnId: string; sessionId: string; messageKeys: string[] }
  | { type: "turn.event"; turnId: string; sessionId: string; messageKeys: string[]; event: AgentEvent }
  | {
      type: "turn.completed";
      turnId: string;
      sessionId: string;
      messageKeys: string[];
      status: Exclude<InboxStatus, "pending">;
      reply: string;
    }
  /** A delivery attempt's outcome (metrics count them, traces show them): sent, to be retried, or given up. */
  | ({ type: "delivery.sent" } & DeliveryAttempt)
  | ({ type: "delivery.retry"; retryInMs: number } & DeliveryAttempt)
  | ({ type: "delivery.failed"; error: string } & DeliveryAttempt)
  /** An unknown sender was given a pairing code (an admin may approve it). */
  | { type: "access.pairing"; channel: string; senderId: string; senderName: string | undefined }
  /** A sender was turned away by the channel's access policy. */
  | { type: "access.denied"; channel: string; senderId: string; reason: string }
  /** The `interrupt` busy policy: whichever gateway runs the session's turn aborts it. */
  | { type: "session.interrupt"; sessionId: string };

/** One attempt to deliver an outbox item: `key` is the item's `turnId:seq`, `ms` how long the attempt took. */
export interface DeliveryAttempt {
  outboxId: string;
  key: string;
  sessionId: string;
  channel: string;
  attempts: number;
  ms: number;
}

type Listener = (event: GatewayEvent) => void;

export class GatewayEvents {
  private readonly all = new Set<Listener>();
  /** Listeners of every event, including those of other gateways on a shared store. */
  private readonly allWithRemote = new Set<Listener>();
  private readonly byMessage = new Map<string, Set<Listener>>();

  /**
   * Every event of this gateway; with `remote`, also those another gateway on a shared store
   * shared (event-bridge.ts). Returns the unsubscribe function.
   */
  subscribe(listener: Listener, options: { remote?: boolean } = {}): () => void {
    const set = options.remote ? this.allWithRemote : this.all;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Events concerning one message key, wherever its turn runs. Subscribe before accepting, so nothing is missed. */
  subscribeMessage(messageKey: string, listener: Listener): () => void {
    let set = this.byMessage.get(messageKey);
    if (!set) this.byMessage.set(messageKey, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byMessage.delete(messageKey);
    };
  }

  /** An event of this gateway. */
  publish(event: GatewayEvent): void {
    for (const listener of this.all) safely(listener, event);
    this.deliver(event);
  }

  /**
   * An event another gateway shared: it reaches clients waiting for its message and listeners
   * that asked for remote events, but not this gateway's own bookkeeping (a channel that acts
   * on turns it ran must not act on the other gateways' turns too).
   */
  publishRemote(event: GatewayEvent): void {
    this.deliver(event);
  }

  /** To the listeners of every gateway's events and of the event's messages. */
  private deliver(event: GatewayEvent): void {
    for (const listener of this.allWithRemote) safely(listener, event);
    const keys = "messageKeys" in event ? event.messageKeys : "messageKey" in event ? [event.messageKey] : [];
    for (const key of keys) {
      const set = this.byMessage.get(key);
      if (set) for (const listener of [...set]) safely(listener, event);
    }
  }
}

/** A listener's bug must not break the turn that published the event. */
function safely(listener: Listener, event: GatewayEvent): void {
  try {
    listener(event);
  } catch {
    // Listeners are transports writing to sockets that may be gone; the turn goes on.
  }
}
