/**
 * What a service may send back, as zod schemas: the agent events of a stream (plus the `state`
 * frame), and the three JSON reply forms. `subagent.exposed` is the gateway's own event, so a
 * service's is dropped rather than forwarded.
 */
import { z } from "zod";
import type { AgentEvent } from "../../core/agent.ts";

const state = z.record(z.string(), z.unknown());

export const wireEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text.delta"), text: z.string() }),
  z.object({ type: z.literal("tool.start"), id: z.string(), name: z.string(), input: z.unknown().optional() }),
  z.object({ type: z.literal("tool.end"), id: z.string(), name: z.string(), output: z.unknown().optional(), isError: z.boolean().optional() }),
  z.object({ type: z.literal("message"), text: z.string() }),
  z.object({ type: z.literal("error"), message: z.string() }),
  z.object({ type: z.literal("state"), state }),
  z.object({ type: z.literal("subagent.exposed") }),
]);

export type WireEvent = z.output<typeof wireEventSchema>;

/** `{ reply }`, `{ text }` or `{ events }`, each with an optional `state`; `state: null` changes nothing. */
export const jsonReplySchema = z.union([
  z.object({ reply: z.string(), state: state.nullish() }),
  z.object({ text: z.string(), state: state.nullish() }),
  z.object({ events: z.array(wireEventSchema), state: state.nullish() }),
]);

export type JsonReply = z.output<typeof jsonReplySchema>;

/** The agent event a wire event stands for; undefined for `state` and dropped events. */
export function toAgentEvent(event: WireEvent): AgentEvent | undefined {
  switch (event.type) {
    case "state":
    case "subagent.exposed":
      return undefined;
    case "tool.start":
      return { type: "tool.start", id: event.id, name: event.name, input: event.input };
    case "tool.end":
      return { type: "tool.end", id: event.id, name: event.name, output: event.output, isError: event.isError };
    default:
      return event;
  }
}
