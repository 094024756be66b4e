/** `list_channels`: where the gateway is connected, and which of those places this agent may write to. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { channelAllowed } from "../grant.ts";
import { guarded, success } from "../results.ts";
import type { ToolContext } from "./context.ts";

export function registerListChannels(server: McpServer, { deps, grant, log }: ToolContext): void {
  server.registerTool(
    "list_channels",
    {
      title: "List channels",
      description:
        "List the gateway's channels (Slack workspaces, mailboxes, Telegram bots, …) with their id and platform type. " +
        "mayCallSendMessage tells whether you may use send_message or schedule_message with that channel: it must be allowed for you and able to start a conversation.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      guarded("list_channels", log, async () => {
        const channels = await deps.listChannels();
        return success({
          channels: channels.map((c) => ({ id: c.id, type: c.type, canSendFirst: c.canSendFirst, mayCallSendMessage: c.canSendFirst && channelAllowed(grant, c.id) })),
        });
      }),
  );
}
