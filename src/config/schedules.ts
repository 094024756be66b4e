/**
 * The `schedules:` entries of switchboard.yaml (the lead wires the list into schema.ts): when an
 * agent speaks first, what it is told, and where its answer goes. Timing is checked here, so a
 * bad cron expression or time zone is a config error naming the field, not a silent no-op.
 */
import { z } from "zod";
import { boolean } from "./coerce.ts";
import { duration } from "./fields.ts";
import { cronIssue, parseAt, timezoneIssue } from "../core/schedules/spec.ts";

const TIMING_FIELDS = ["cron", "at", "every"] as const;

export const scheduleSchema = z
  .strictObject({
    /** Unique among schedules; names its runs and its own session. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "schedule names use letters, digits, . _ - (at most 100)"),
    /** A cron expression: minute hour day-of-month month day-of-week (a sixth field in front adds seconds), e.g. "0 9 * * 1-5". */
    cron: z.string().optional(),
    /** The IANA time zone `cron` (and an `at` without an offset) is read in, e.g. Europe/Berlin. UTC unless set. */
    timezone: z.string().optional(),
    /** One moment, as an ISO date-time: "2026-05-01T09:00" (in `timezone`) or with an offset, "2026-05-01T09:00:00Z". */
    at: z.string().optional(),
    /** An interval such as 30m or 2h. Slots fall on whole multiples of it since 1970-01-01 00:00 UTC, the same on every gateway. */
    every: duration.optional(),
    /** The agent that runs the turn (with `instruction`). */
    agent: z.string().min(1).optional(),
    /** What the agent is told each time; its answer is delivered. */
    instruction: z.string().min(1).optional(),
    /** Or a fixed text, delivered as it is with no agent (a reminder). */
    text: z.string().min(1).optional(),
    /** Where the answer is delivered: a channel id and a target on it (a Slack channel, a chat id, an email address, …). */
    target: z.strictObject({ channel: z.string().min(1), to: z.string().min(1) }),
    /** `isolated` (default): each run is a turn in the schedule's own session. Otherwise a session id to continue. */
    session: z.string().min(1).default("isolated"),
    /** After downtime: `skip` (default) the slots that passed, or `run-once` the latest of them. */
    missed: z.enum(["skip", "run-once"]).default("skip"),
    enabled: boolean.default(true),
  })
  .superRefine((schedule, ctx) => {
    if ((schedule.instruction === undefined) === (schedule.text === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "needs exactly one of instruction (an agent answers it) and text (sent as it is)" });
    }
    if (schedule.instruction !== undefined && schedule.agent === undefined) ctx.addIssue({ code: "custom", path: ["agent"], message: "required with instruction: the agent that answers it" });
    const set = TIMING_FIELDS.filter((field) => schedule[field] !== undefined);
    if (set.length === 0) ctx.addIssue({ code: "custom", path: [], message: 'needs one of cron, at or every (e.g. cron: "0 9 * * *")' });
    if (set.length > 1) {
      ctx.addIssue({ code: "custom", path: [set[1]!], message: `${set.join(" and ")} are both set; a schedule has exactly one of cron, at and every` });
    }
    const badZone = schedule.timezone === undefined ? undefined : timezoneIssue(schedule.timezone);
    if (badZone) ctx.addIssue({ code: "custom", path: ["timezone"], message: badZone });
    if (schedule.timezone !== undefined && schedule.every !== undefined) {
      ctx.addIssue({ code: "custom", path: ["timezone"], message: "applies to cron and at only; every counts from 1970-01-01 00:00 UTC" });
    }
    const badCron = schedule.cron === undefined ? undefined : cronIssue(schedule.cron);
    if (badCron) ctx.addIssue({ code: "custom", path: ["cron"], message: badCron });
    if (schedule.at !== undefined && !badZone && parseAt(schedule.at, schedule.timezone) === undefined) {
      ctx.addIssue({ code: "custom", path: ["at"], message: `"${schedule.at}" is not a date-time; write e.g. "2026-05-01T09:00" (in timezone) or "2026-05-01T09:00:00Z"` });
    }
    if (schedule.every !== undefined && schedule.every < 1000) ctx.addIssue({ code: "custom", path: ["every"], message: "must be at least 1s" });
  })
  // `at` becomes epoch milliseconds; it was checked above, so it parses.
  .transform(({ at, ...schedule }) => ({ ...schedule, at: at === undefined ? undefined : parseAt(at, schedule.timezone)! }));

export const schedulesSchema = z
  .array(scheduleSchema)
  .default([])
  .superRefine((schedules, ctx) => {
    const seen = new Set<string>();
    schedules.forEach((schedule, i) => {
      if (seen.has(schedule.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${schedule.name}" is used by an earlier schedule; names must be unique` });
      seen.add(schedule.name);
    });
  });

export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type ScheduleConfigInput = z.input<typeof scheduleSchema>;

/**
 * References to agents and channels, checked beside `agentReferenceIssues` (agents may also be
 * added in code). Lines as `schedules.<i>.<field>: message`.
 */
export function scheduleReferenceIssues(schedules: readonly ScheduleConfig[], agentIds: readonly string[], channelIds: readonly string[]): string[] {
  const issues: string[] = [];
  schedules.forEach((schedule, i) => {
    if (schedule.agent !== undefined && !agentIds.includes(schedule.agent)) issues.push(`schedules.${i}.agent: unknown agent "${schedule.agent}" (known: ${agentIds.join(", ") || "none"})`);
    if (!channelIds.includes(schedule.target.channel)) {
      issues.push(`schedules.${i}.target.channel: unknown channel "${schedule.target.channel}" (known: ${channelIds.join(", ") || "none"})`);
    }
  });
  return issues;
}
