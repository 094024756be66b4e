/**
 * `McpDeps` over a running gateway: the grants from the agents' `gatewayTools`, sends through
 * `sendFirst`, sessions from the store, and schedules kept in the store by the schedule service, so
 * every gateway on the store runs what an agent planned.
 */
import type { Gateway } from "../core/gateway.ts";
import { sendFirst } from "../core/proactive.ts";
import type { ScheduleService } from "../core/schedules/service.ts";
import type { McpDeps, McpGrant } from "./deps.ts";
import { grantLookup } from "./tokens.ts";

export function gatewayMcpDeps(options: { gateway: () => Gateway; schedules: () => ScheduleService; grants: ReadonlyArray<readonly [string, McpGrant]> }): McpDeps {
  const grantFor = grantLookup(options.grants);
  return {
    grantFor,
    sendMessage: (input) => sendFirst(options.gateway(), input),
    async listChannels() {
      return options
        .gateway()
        .listChannels()
        .filter((c) => !c.id.startsWith("__"))
        .map((c) => ({ id: c.id, type: c.type, canSendFirst: typeof c.resolveTarget === "function" }));
    },
    async listSessions(query) {
      const sessions = await options.gateway().store.listSessions({
        ...(query.channel !== undefined ? { channel: query.channel } : {}),
        ...(query.agent !== undefined ? { agent: query.agent } : {}),
        ...(query.user !== undefined ? { userId: query.user } : {}),
        limit: query.limit ?? 50,
      });
      return sessions.map((s) => ({ id: s.id, agent: s.agent, channel: s.channel, userId: s.userId, status: s.status, lastActivityAt: s.lastActivityAt }));
    },
    async getSession(id) {
      const store = options.gateway().store;
      const session = await store.getSession(id);
      if (!session) return undefined;
      const transcript = await store.getTranscript(id);
      return {
        session: { id: session.id, agent: session.agent, channel: session.channel, userId: session.userId, status: session.status },
        transcript: transcript.map((e) => ({ role: e.role, text: e.text, at: e.at })),
      };
    },
    async scheduleMessage({ by, name, cron, at, every, timezone, channel, to, text, instruction }) {
      const agent = by.startsWith("agent:") ? by.slice("agent:".length) : undefined;
      const view = await options.schedules().create(
        {
          ...(name !== undefined ? { name } : {}),
          ...(cron !== undefined ? { cron } : {}),
          ...(at !== undefined ? { at } : {}),
          ...(every !== undefined ? { every } : {}),
          ...(timezone !== undefined ? { timezone } : {}),
          ...(text !== undefined ? { text } : { instruction, agent }),
          target: { channel, to },
        },
        by,
      );
      return { name: view.name, nextRunAt: view.nextRunAt };
    },
  };
}
