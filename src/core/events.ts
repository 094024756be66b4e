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
  | { type: "delivery.failed"; outboxId: string; sessionId: string; channel: string; error: string }
  /** The `interrupt` busy policy: whichever gateway runs the session's turn aborts it. */
  | { type: "session.interrupt"; sessionId: string };

type Listener = (event: GatewayEvent) => void;

export class GatewayEvents {
  private readonly all = new Set<Listener>();
  private readonly byMessage = new Map<string, Set<Listener>>();

  /** Every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }

  /** Events concerning one message key. Subscribe before accepting, so nothing is missed. */
  subscribeMessage(messageKey: string, listener: Listener): () => void {
    let set = this.byMessage.get(messageKey);
    if (!set) this.byMessage.set(messageKey, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byMessage.delete(messageKey);
    };
  }

  publish(event: GatewayEvent): void {
    for (const listener of this.all) safely(listener, event);
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
