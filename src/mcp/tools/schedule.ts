/**
 * `schedule_message`: the agent plans to speak later or on repeat: a fixed text (a reminder) or an
 * instruction it is run with each time (a daily summary). The shape is checked here so the model
 * hears exactly what to fix; timing and target are checked by the gateway, like any schedule.
 */
import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { actorOf, channelRefusal, scheduleRefusal } from "../grant.ts";
import { failure, guarded, success } from "../results.ts";
import { isoTime, type ToolContext } from "./context.ts";
import { TARGET_HELP } from "./send.ts";

const TIMING = ["cron", "at", "every"] as const;
const CONTENT = ["text", "instruction"] as const;

export function registerScheduleMessage(server: McpServer, { deps, grant, log }: ToolContext): void {
  server.registerTool(
    "schedule_message",
    {
      title: "Schedule a message",
      description:
        "Schedule a message for later, or to repeat. Give exactly one of cron, at and every, and exactly one of text and instruction. " +
        "text is sent as it is (a reminder); instruction is given to you, this agent, at each run, and your answer is sent (a summary, a check-up). " +
        "The result has the schedule's name and its next run (UTC).",
      inputSchema: {
        cron: z.string().min(1).optional().describe('Repeat on a cron expression: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5" for 09:00 on weekdays. Read in timezone.'),
        at: z.string().min(1).optional().describe('Once, at this date-time: "2026-05-01T09:00" (in timezone) or with an offset, "2026-05-01T09:00:00Z".'),
        every: z.string().min(1).optional().describe('Repeat at this interval, e.g. "30m", "2h", "1d".'),
        timezone: z.string().min(1).optional().describe("IANA time zone for cron and at, e.g. Europe/Berlin (UTC if not given)."),
        channel: z.string().min(1).describe("The channel id, from list_channels."),
        to: z.string().min(1).describe(TARGET_HELP),
        text: z.string().min(1).optional().describe("A fixed message, sent as it is each time."),
        instruction: z.string().min(1).optional().describe("What you will be asked to do at each run; your answer is what gets sent."),
        name: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,100}$/, "letters, digits, . _ - (at most 100)")
          .optional()
          .describe("A name for the schedule (letters, digits, . _ -); one is made up if not given."),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    (args) =>
      guarded("schedule_message", log, async () => {
        const refusal = scheduleRefusal(grant) ?? channelRefusal(grant, args.channel) ?? shapeIssue(args);
        if (refusal) return failure(refusal);
        const { name, nextRunAt } = await deps.scheduleMessage({ ...definedOnly(args), channel: args.channel, to: args.to, by: actorOf(grant) });
        return success({ status: "scheduled", name, nextRunAt: isoTime(nextRunAt), channel: args.channel, to: args.to });
      }),
  );
}

function shapeIssue(args: { cron?: string; at?: string; every?: string; timezone?: string; text?: string; instruction?: string }): string | undefined {
  const timing = TIMING.filter((field) => args[field] !== undefined);
  if (timing.length !== 1) return `give exactly one of cron, at and every (got ${timing.join(" and ") || "none"})`;
  const content = CONTENT.filter((field) => args[field] !== undefined);
  if (content.length !== 1) return `give exactly one of text (sent as it is) and instruction (you answer it each time) (got ${content.join(" and ") || "none"})`;
  if (args.timezone !== undefined && args.every !== undefined) return "timezone applies to cron and at only; every counts from 1970-01-01 00:00 UTC";
  return undefined;
}

function definedOnly<T extends Record<string, unknown>>(args: T): Partial<T> {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined)) as Partial<T>;
}
