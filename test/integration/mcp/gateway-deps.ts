/**
 * `McpDeps` over a real running gateway, for testing the MCP server before the lead's own
 * implementation lands: channels, sessions and transcripts come from the gateway and its store,
 * a send goes through the gateway's real proactive path (resolveTarget, accept, outbox), and a
 * schedule is validated like a `schedules:` entry and recorded (there is no API to add one yet).
 */
import { scheduleSchema } from "../../../src/config/schedules.ts";
import { RequestError } from "../../../src/core/errors.ts";
import { sendFirst } from "../../../src/core/proactive.ts";
import { scheduleSpec } from "../../../src/core/schedules/index.ts";
import type { Gateway } from "../../../src/core/gateway.ts";
import { grantLookup, type McpDeps, type McpGrant, type McpScheduleRequest } from "../../../src/mcp/index.ts";

export interface RecordedSchedule extends McpScheduleRequest {
  name: string;
  nextRunAt: number | undefined;
}

export interface TestMcpDeps extends McpDeps {
  schedules: RecordedSchedule[];
}

export function gatewayDeps(gateway: () => Gateway, grants: Record<string, McpGrant>): TestMcpDeps {
  const schedules: RecordedSchedule[] = [];
  let counter = 0;

  return {
    schedules,
    grantFor: grantLookup(Object.entries(grants)),
    async sendMessage(input) {
      const sent = await sendFirst(gateway(), input);
      return { messageId: sent.messageId, sessionId: sent.sessionId, status: sent.status };
    },
    async listChannels() {
      return gateway()
        .listChannels()
        .filter((c) => !c.id.startsWith("__"))
        .map((c) => ({ id: c.id, type: c.type, canSendFirst: typeof c.resolveTarget === "function" }));
    },
    async listSessions(query) {
      const found = await gateway().store.listSessions({ channel: query.channel, agent: query.agent, userId: query.user, limit: query.limit });
      return found.map((s) => ({ id: s.id, agent: s.agent, channel: s.channel, userId: s.userId, status: s.status, lastActivityAt: s.lastActivityAt }));
    },
    async getSession(id) {
      const session = await gateway().store.getSession(id);
      if (!session) return undefined;
      const transcript = await gateway().store.getTranscript(id);
      return {
        session: { id: session.id, agent: session.agent, channel: session.channel, userId: session.userId, status: session.status },
        transcript: transcript.map((e) => ({ role: e.role, text: e.text, at: e.at })),
      };
    },
    async scheduleMessage(input) {
      const agent = input.by.replace(/^agent:/, "");
      const parsed = scheduleSchema.safeParse({
        name: input.name ?? `${agent}-${++counter}`,
        cron: input.cron,
        at: input.at,
        every: input.every,
        timezone: input.timezone,
        text: input.text,
        instruction: input.instruction,
        agent: input.instruction !== undefined ? agent : undefined,
        target: { channel: input.channel, to: input.to },
      });
      if (!parsed.success) throw new RequestError(400, parsed.error.issues.map((i) => `${i.path.join(".") || "schedule"}: ${i.message}`).join("; "));
      const nextRunAt = scheduleSpec(parsed.data).next(Date.now());
      schedules.push({ ...input, name: parsed.data.name, nextRunAt });
      return { name: parsed.data.name, nextRunAt };
    },
  };
}
