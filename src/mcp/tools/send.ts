/** `send_message`: the agent speaks first, now, to a person or room on a channel its grant allows. */
import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { actorOf, channelRefusal } from "../grant.ts";
import { failure, guarded, success } from "../results.ts";
import type { ToolContext } from "./context.ts";

/** How targets are written, per platform; shared with schedule_message. */
export const TARGET_HELP =
  'Where on the channel the message goes, written as on that platform: Slack "#channel-name", "@user" or an email address; ' +
  'email: an address; GitHub: "owner/repo#12"; Telegram: a chat id; WhatsApp: a phone number like +4915112345678; Discord: a channel or user id; webhook: a conversation id.';

export function registerSendMessage(server: McpServer, { deps, grant, log }: ToolContext): void {
  server.registerTool(
    "send_message",
    {
      title: "Send a message",
      description:
        "Send a message to a person or room on one of the gateway's channels, right now: a notification, a reminder, an answer to a question asked elsewhere. " +
        "Call list_channels first to see which channels you may send to. The message is queued and delivered with retries; " +
        "a reply from the recipient continues in the session named in the result. Markdown is rendered for the platform.",
      inputSchema: {
        channel: z.string().min(1).describe("The channel id, from list_channels (e.g. slack-main)."),
        to: z.string().min(1).describe(TARGET_HELP),
        text: z.string().min(1).describe("The message, in Markdown."),
        id: z.string().min(1).max(200).optional().describe("Optional idempotency key: sending again with the same id delivers the message only once."),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    (args) =>
      guarded("send_message", log, async () => {
        const refusal = channelRefusal(grant, args.channel);
        if (refusal) return failure(refusal);
        const sent = await deps.sendMessage({ channel: args.channel, to: args.to, text: args.text, by: actorOf(grant), ...(args.id !== undefined ? { id: args.id } : {}) });
        return success({
          status: sent.status === "duplicate" ? "already sent (same id)" : "queued for delivery",
          channel: args.channel,
          to: args.to,
          messageId: sent.messageId,
          sessionId: sent.sessionId,
        });
      }),
  );
}
