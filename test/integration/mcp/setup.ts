/**
 * A gateway with a Slack channel on the Slack emulator whose agents have `gatewayTools`, so the
 * gateway serves its MCP server at `<url>/mcp` with the tokens below: what the tests drive with
 * the official SDK client, and what agents are handed in their settings.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import type { McpGrant } from "../../../src/mcp/index.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import type { ScheduleView } from "../../../src/core/schedules/service.ts";
import { startSlackSetup, type SlackSetup } from "../slack/setup.ts";

export const TOKENS = {
  /** helper: Slack and the API, may schedule. */
  helper: "mcp-token-helper-0123456789abcdef",
  /** reporter: the API channel only, no schedules. */
  reporter: "mcp-token-reporter-0123456789abcdef",
} as const;

export const GRANTS: Record<string, McpGrant> = {
  [TOKENS.helper]: { agent: "helper", channels: ["slack", "api"], schedule: true },
  [TOKENS.reporter]: { agent: "reporter", channels: ["api"], schedule: false },
};

export interface McpSetup {
  slack: SlackSetup;
  /** The MCP endpoint. */
  url: string;
  connect(token: string): Promise<Client>;
  /** The schedules made through MCP (kept in the store). */
  storedSchedules(): Promise<ScheduleView[]>;
  stop(): Promise<void>;
}

type AgentInput = Record<string, unknown>;

/** `agents` as in the config (echo agents helper and reporter by default); each gets the gatewayTools of its grant in GRANTS. */
export async function startMcpSetup(options: { agents?: Record<string, AgentInput>; config?: SwitchboardConfigInput; setup?: (gw: Switchboard) => void } = {}): Promise<McpSetup> {
  const tools = new Map(Object.entries(GRANTS).map(([token, grant]) => [grant.agent, { channels: grant.channels, schedule: grant.schedule, token }]));
  const agents = Object.entries({ helper: { kind: "echo" }, reporter: { kind: "echo" }, ...options.agents }).map(([id, agent]) => [id, tools.has(id) ? { ...agent, gatewayTools: tools.get(id) } : agent]);
  const slack = await startSlackSetup({
    mode: "events",
    config: { defaultAgent: "helper", ...options.config, agents: Object.fromEntries(agents) as SwitchboardConfigInput["agents"] },
    setup: options.setup,
  });
  slack.emulator.addChannel({ id: "CDEVUPDATES", name: "dev-updates" });
  const url = `${slack.t.url}/mcp`;

  const clients: Client[] = [];
  return {
    slack,
    url,
    async connect(token) {
      const client = new Client({ name: "switchboard-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      clients.push(client);
      return client;
    },
    async storedSchedules() {
      return (await slack.t.gw.schedules.list()).filter((v) => v.source === "store");
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await slack.stop();
    },
  };
}
