/**
 * The gateway's MCP handler on its own loopback server, over a real gateway with a Slack channel
 * on the Slack emulator. The MCP server listens first, so its URL can go into the gateway's config
 * (agents are given it in their settings); its deps reach the gateway once that has started.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import type { Gateway } from "../../../src/core/gateway.ts";
import { createMcpHandler, type McpGrant } from "../../../src/mcp/index.ts";
import { toNodeListener } from "../../../src/server/node-adapter.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import { startSlackSetup, type SlackSetup } from "../slack/setup.ts";
import { gatewayDeps, type TestMcpDeps } from "./gateway-deps.ts";

/** Tokens of the test's agents: what each may do. */
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
  deps: TestMcpDeps;
  /** The MCP endpoint. */
  url: string;
  connect(token: string): Promise<Client>;
  stop(): Promise<void>;
}

export async function startMcpSetup(options: { config?: (mcpUrl: string) => SwitchboardConfigInput; setup?: (gw: Switchboard) => void } = {}): Promise<McpSetup> {
  const started: { gateway?: Gateway } = {};
  const deps = gatewayDeps(() => {
    if (!started.gateway) throw new Error("the gateway has not started yet");
    return started.gateway;
  }, GRANTS);
  const server = createServer(toNodeListener(createMcpHandler(deps)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;

  let slack: SlackSetup;
  try {
    slack = await startSlackSetup({ mode: "events", config: { defaultAgent: "helper", ...options.config?.(url) }, setup: options.setup });
  } catch (error) {
    await close(server);
    throw error;
  }
  started.gateway = slack.t.gw.gateway;
  slack.emulator.addChannel({ id: "CDEVUPDATES", name: "dev-updates" });

  const clients: Client[] = [];
  return {
    slack,
    deps,
    url,
    async connect(token) {
      const client = new Client({ name: "switchboard-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await slack.stop();
      await close(server);
    },
  };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
