/** One MCP server with the gateway's tools, bound to the grant of the agent that is calling. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerSdk } from "./sdk.ts";
import type { ToolContext } from "./tools/context.ts";
import { registerListChannels } from "./tools/channels.ts";
import { registerSendMessage } from "./tools/send.ts";
import { registerGetSession, registerListSessions } from "./tools/sessions.ts";
import { registerScheduleMessage } from "./tools/schedule.ts";

export const SERVER_INFO = { name: "switchboard", version: "0.1.0" } as const;

const INSTRUCTIONS =
  "Tools of the Switchboard messaging gateway: reach people on its channels (Slack, email, Telegram, WhatsApp, GitHub, …). " +
  "list_channels shows where you may send; send_message sends now; schedule_message sends later or on repeat; list_sessions and get_session read your own conversations.";

export function buildMcpServer(sdk: ServerSdk, context: ToolContext): McpServer {
  const server = new sdk.McpServer(SERVER_INFO, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  registerListChannels(server, context);
  registerSendMessage(server, context);
  registerScheduleMessage(server, context);
  registerListSessions(server, context);
  registerGetSession(server, context);
  return server;
}
