/**
 * Agent settings a deployment varies per channel and per user. The chain, most specific first:
 * the channel's `agentSettings`, then the user's, then the agent's own config (which each agent
 * applies itself for whatever the merged settings leave unset). `env` and `mcpServers` merge
 * key by key; the other fields are replaced whole.
 */
import type { AgentSettings } from "./agent.ts";
import type { Sender } from "./envelope.ts";

export interface UserSettings {
  /** The Unix user a `command` agent in strict isolation runs this user's turns as. */
  unixUser?: string;
  agentSettings?: AgentSettings;
}

export function mergeSettings(...layers: Array<AgentSettings | undefined>): AgentSettings {
  const merged: AgentSettings = {};
  // Layers come least specific first; later ones win.
  for (const layer of layers) {
    if (!layer) continue;
    const { env, mcpServers, ...rest } = layer;
    Object.assign(merged, stripUndefined(rest));
    if (env) merged.env = { ...merged.env, ...env };
    if (mcpServers) merged.mcpServers = { ...merged.mcpServers, ...mcpServers };
  }
  return merged;
}

/** The settings entry of a sender: by id first, then by email. */
export function findUser(users: Record<string, UserSettings> | undefined, sender: Sender): UserSettings | undefined {
  if (!users) return undefined;
  return (sender.identity !== undefined ? users[sender.identity] : undefined) ?? users[sender.id] ?? (sender.email !== undefined ? users[sender.email] : undefined);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
