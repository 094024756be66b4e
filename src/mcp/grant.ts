/**
 * What a grant allows, in words a model can act on: a refusal names what was asked for and what
 * the agent's `gatewayTools` allow instead, so the model can pick an allowed channel or give up.
 */
import type { McpGrant } from "./deps.ts";

/** Why this grant may not send to `channel`, or undefined when it may. */
export function channelRefusal(grant: McpGrant, channel: string): string | undefined {
  if (channelAllowed(grant, channel)) return undefined;
  const allowed = grant.channels === "*" ? "all channels" : grant.channels.length === 0 ? "no channel" : `only ${grant.channels.map((id) => `"${id}"`).join(", ")}`;
  return `channel "${channel}" is not allowed for agent "${grant.agent}": its gatewayTools.channels allow ${allowed}`;
}

export function channelAllowed(grant: McpGrant, channel: string): boolean {
  return grant.channels === "*" || grant.channels.includes(channel);
}

/** Why this grant may not create schedules, or undefined when it may. */
export function scheduleRefusal(grant: McpGrant): string | undefined {
  if (grant.schedule) return undefined;
  return `agent "${grant.agent}" may not create schedules: its gatewayTools.schedule is false (it may still send_message now)`;
}

/** How the gateway records this grant's agent as the author of a send or a schedule. */
export function actorOf(grant: McpGrant): string {
  return `agent:${grant.agent}`;
}
