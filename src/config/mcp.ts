/**
 * `gatewayTools:` in an agent's config (every kind; the lead adds it to each in schema.ts): the
 * agent may use the gateway's MCP server at `/mcp` (send_message, list_channels, list_sessions,
 * get_session, schedule_message), and `channels` limits where it may send. The gateway gives the
 * agent the server in its settings (`mcpServers.switchboard`) with its own bearer token: a fixed
 * `token` here (for using the server from outside, e.g. a Claude Code on a laptop), or else one
 * the gateway makes for the agent at start.
 *
 *   agents:
 *     helper:
 *       kind: openai
 *       gatewayTools: { channels: [slack-main], schedule: true }
 */
import { z } from "zod";
import { boolean } from "./coerce.ts";

/** Shorter tokens are guessable; the gateway's own are 32 random bytes. */
export const MIN_GATEWAY_TOKEN_LENGTH = 24;

export const gatewayToolsSchema = z
  .strictObject({
    channels: z
      .union([z.literal("*"), z.array(z.string().min(1)).min(1)])
      .meta({ description: 'Channel ids this agent may send to and schedule for, or "*" for all channels.' }),
    schedule: boolean.default(false).meta({ description: "Whether the agent may create schedules (schedule_message). Default false." }),
    token: z
      .string()
      .min(MIN_GATEWAY_TOKEN_LENGTH, `must be at least ${MIN_GATEWAY_TOKEN_LENGTH} characters (write \${SOME_SECRET}; e.g. openssl rand -hex 32)`)
      .regex(/^\S+$/, "must not contain spaces")
      .optional()
      .meta({ description: "A fixed bearer token for this agent's use of /mcp (write ${VAR}); otherwise the gateway makes one at each start." }),
  })
  .meta({ description: "Let this agent use the gateway's own MCP tools (send_message, schedule_message, sessions), limited to these channels." });

export type GatewayToolsConfig = z.output<typeof gatewayToolsSchema>;
export type GatewayToolsConfigInput = z.input<typeof gatewayToolsSchema>;

/**
 * Channel ids that no channel has, and tokens shared by two agents (a token must name one agent),
 * as `agents.<id>.gatewayTools.<field>: message` lines. Channels created at run time through the
 * API are not known here; the grant still limits sends to the ids listed.
 */
export function gatewayToolsIssues(agents: Readonly<Record<string, { gatewayTools?: GatewayToolsConfig | undefined }>>, channelIds: readonly string[]): string[] {
  const issues: string[] = [];
  const tokenOwner = new Map<string, string>();
  for (const [agent, config] of Object.entries(agents)) {
    const tools = config.gatewayTools;
    if (!tools) continue;
    if (tools.channels !== "*") {
      tools.channels.forEach((channel, i) => {
        if (!channelIds.includes(channel)) issues.push(`agents.${agent}.gatewayTools.channels.${i}: unknown channel "${channel}" (known: ${channelIds.join(", ") || "none"})`);
      });
    }
    if (tools.token !== undefined) {
      const owner = tokenOwner.get(tools.token);
      if (owner) issues.push(`agents.${agent}.gatewayTools.token: the same token as agents.${owner}.gatewayTools.token; each agent needs its own`);
      else tokenOwner.set(tools.token, agent);
    }
  }
  return issues;
}
