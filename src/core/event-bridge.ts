/**
 * Bridges this gateway's event bus to the other gateways on a shared store: turn events it
 * publishes go out, turn events of the others come in. A client waiting here for a reply then
 * sees the turn wherever it runs, and an interrupt reaches the turn wherever it runs. Only those
 * cross, and they arrive as remote events (GatewayEvents.publishRemote): acceptance, delivery
 * failures and what channels do after a turn are each gateway's own business.
 */
import type { GatewayEvent, GatewayEvents } from "./events.ts";
import type { Logger } from "./log.ts";
import type { SharedEvents } from "../store/store.ts";

interface Envelope {
  from: string;
  event: GatewayEvent;
}

const crossing = new Set<GatewayEvent["type"]>(["turn.started", "turn.event", "turn.completed", "session.interrupt"]);

/** Start bridging; resolves once this gateway hears the others. */
export async function bridgeEvents(events: GatewayEvents, shared: SharedEvents, instanceId: string, log: Logger): Promise<void> {
  await shared.subscribe((payload) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return log.warn("ignored an unreadable event from another gateway");
    }
    if (envelope.from === instanceId || !crossing.has(envelope.event?.type)) return;
    events.publishRemote(envelope.event);
  });
  events.subscribe((event) => {
    if (!crossing.has(event.type)) return;
    shared.publish(JSON.stringify({ from: instanceId, event } satisfies Envelope)).catch((error: unknown) => {
      log.debug("could not share a turn event with the other gateways", { type: event.type, error });
    });
  });
}
