/** `switchboard check [-c file]`: validate a config and say what it would run. */
import { resolveConfig } from "./config.ts";
import { redactStoreUrl } from "../store/open.ts";
import { agentFromConfig } from "../agents/from-config.ts";
import { channelFromConfig } from "../channels/from-config.ts";

export async function check(options: { config?: string }): Promise<number> {
  const { config, file, baseDir } = await resolveConfig(options.config);
  // Load every agent, so a wrong module path or export is found now rather than at start.
  const agentIds = () => Object.keys(config.agents);
  for (const [id, agent] of Object.entries(config.agents)) await agentFromConfig(id, agent, { baseDir, agents: agentIds });
  // Build every channel too (nothing connects): an unreadable key file is found now as well.
  for (const [id, channel] of Object.entries(config.channels)) channelFromConfig(id, channel, { baseDir });
  const agents = Object.keys(config.agents);
  const channels = Object.entries(config.channels).map(([id, c]) => `${id} (${c.type})`);
  console.log(`${file ?? "embedded default config"}: OK`);
  console.log(`  store:    ${redactStoreUrl(config.store)}`);
  console.log(`  agents:   ${agents.join(", ") || "none"}; default ${config.defaultAgent ?? agents[0] ?? "none"}`);
  console.log(`  channels: ${channels.join(", ") || "none"}`);
  console.log(`  routes:   ${config.routes.map((r) => r.name).join(", ") || "none (everything goes to the default agent)"}`);
  return 0;
}
