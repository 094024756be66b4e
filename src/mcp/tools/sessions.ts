/**
 * `list_sessions` and `get_session`: the agent's own conversations and what was said in them.
 * Only sessions of the calling agent are shown; another agent's session reads as not found, so
 * a token says nothing about conversations it has no business with.
 */
import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { failure, guarded, success } from "../results.ts";
import { isoTime, type ToolContext } from "./context.ts";

export function registerListSessions(server: McpServer, { deps, grant, log }: ToolContext): void {
  server.registerTool(
    "list_sessions",
    {
      title: "List your sessions",
      description: "List your own conversations (sessions), most recently active first, optionally only those on one channel or with one user. Use get_session to read one.",
      inputSchema: {
        channel: z.string().min(1).optional().describe("Only sessions opened from this channel id."),
        user: z.string().min(1).optional().describe("Only sessions with this user (their platform id, as in a session's userId)."),
        limit: z.number().int().min(1).max(100).optional().describe("At most this many (default 20)."),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded("list_sessions", log, async () => {
        const found = await deps.listSessions({
          agent: grant.agent,
          limit: args.limit ?? 20,
          ...(args.channel !== undefined ? { channel: args.channel } : {}),
          ...(args.user !== undefined ? { user: args.user } : {}),
        });
        const sessions = found
          .filter((s) => s.agent === grant.agent)
          .map((s) => ({ id: s.id, channel: s.channel, userId: s.userId, status: s.status, lastActivityAt: isoTime(s.lastActivityAt) }));
        return success({ sessions });
      }),
  );
}

export function registerGetSession(server: McpServer, { deps, grant, log }: ToolContext): void {
  server.registerTool(
    "get_session",
    {
      title: "Read a session",
      description: "Read one of your sessions: who it is with, on which channel, and its latest messages, oldest first.",
      inputSchema: {
        id: z.string().min(1).describe("The session id, from list_sessions or a send_message result."),
        last: z.number().int().min(1).max(200).optional().describe("How many of the latest transcript entries to return (default 50)."),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded("get_session", log, async () => {
        const found = await deps.getSession(args.id);
        if (!found || found.session.agent !== grant.agent) return failure(`agent "${grant.agent}" has no session "${args.id}"; list_sessions shows yours`);
        const last = args.last ?? 50;
        const { session, transcript } = found;
        return success({
          session: { id: session.id, channel: session.channel, userId: session.userId, status: session.status },
          transcript: transcript.slice(-last).map((entry) => ({ role: entry.role, text: entry.text, at: isoTime(entry.at) })),
          earlierEntriesLeftOut: Math.max(0, transcript.length - last),
        });
      }),
  );
}
