/**
 * Giving an agent the gateway's MCP server: every turn of the agent gets the `switchboard` entry in
 * its `mcpServers`, pointing at this gateway's `/mcp` with the agent's own token. The URL is read
 * at turn time (the port is known once the server listens); a gateway mounted in another app with
 * no URL of its own runs the agent without it and says so once.
 */
import type { Agent } from "../core/agent.ts";
import type { Logger } from "../core/log.ts";
import { GATEWAY_MCP_SERVER, gatewayMcpServer } from "./tokens.ts";

export function withGatewayTools(agent: Agent, token: string, gatewayUrl: () => string | undefined, log: Logger): Agent {
  let warned = false;
  return {
    id: agent.id,
    kind: agent.kind,
    run(input) {
      const url = gatewayUrl();
      if (url === undefined) {
        if (!warned) log.warn("agent has gatewayTools, but the gateway has no URL of its own (mounted without listening): its turns run without them", { agent: agent.id });
        warned = true;
        return agent.run(input);
      }
      const mcpServers = { ...input.settings.mcpServers, [GATEWAY_MCP_SERVER]: gatewayMcpServer(url, token) };
      return agent.run({ ...input, settings: { ...input.settings, mcpServers } });
    },
  };
}
