/**
 * The `schedules:` config entries: defaults, `at` read in the schedule's time zone, and a clear
 * error naming the field for every way a schedule's timing can be wrong.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { scheduleReferenceIssues, schedulesSchema } from "../../../src/config/schedules.ts";
import { configErrorMap, formatIssues } from "../../../src/config/issues.ts";

const rest = { agent: "summary-agent", instruction: "Generate today's project summary.", target: { channel: "slack-main", to: "#dev-updates" } };

function problems(entries: unknown[]): string[] {
  const result = schedulesSchema.safeParse(entries, { error: configErrorMap });
  assert.equal(result.success, false, "expected the config to be refused");
  return formatIssues(result.error!.issues, ["schedules"]);
}

describe("schedules config", () => {
  it("reads the issue's example with its defaults", () => {
    const [daily] = schedulesSchema.parse([{ name: "daily-summary", cron: "0 9 * * *", timezone: "Europe/Berlin", ...rest }]);
    assert.deepEqual(daily, {
      name: "daily-summary", cron: "0 9 * * *", timezone: "Europe/Berlin", at: undefined, ...rest, session: "isolated", missed: "skip", enabled: true,
    });
    assert.deepEqual(schedulesSchema.parse(undefined), []);
  });

  it("reads every as a duration and at in the schedule's time zone, or with its own offset", () => {
    const [every, local, utc] = schedulesSchema.parse([
      { name: "pulse", every: "2h", ...rest, missed: "run-once", session: "ops-session", enabled: "false" },
      { name: "launch", at: "2026-05-01T09:00", timezone: "Europe/Berlin", ...rest },
      { name: "launch-utc", at: "2026-05-01T09:00:00Z", timezone: "Europe/Berlin", ...rest },
    ]);
    assert.deepEqual([every?.every, every?.missed, every?.session, every?.enabled], [7_200_000, "run-once", "ops-session", false]);
    assert.equal(local?.at, Date.parse("2026-05-01T07:00:00Z"), "09:00 CEST");
    assert.equal(utc?.at, Date.parse("2026-05-01T09:00:00Z"));
  });

  it("refuses bad timing with an error that names the field", () => {
    assert.deepEqual(problems([{ name: "a", cron: "0 25 * * *", ...rest }]), [
      'schedules.0.cron: "0 25 * * *" is not a cron expression (Invalid value for hour: 25); use five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"',
    ]);
    assert.deepEqual(problems([{ name: "a", cron: "0 9 * *", ...rest }]).length, 1);
    assert.deepEqual(problems([{ name: "a", cron: "0 0 30 2 *", ...rest }]), ['schedules.0.cron: "0 0 30 2 *" never fires']);
    assert.deepEqual(problems([{ name: "a", cron: "0 9 * * *", timezone: "Europe/Berlinn", ...rest }]), [
      'schedules.0.timezone: "Europe/Berlinn" is not a known time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC',
    ]);
    assert.deepEqual(problems([{ name: "a", cron: "0 9 * * *", every: "1h", ...rest }]), [
      "schedules.0.every: cron and every are both set; a schedule has exactly one of cron, at and every",
    ]);
    assert.deepEqual(problems([{ name: "a", ...rest }]), ['schedules.0: needs one of cron, at or every (e.g. cron: "0 9 * * *")']);
    assert.deepEqual(problems([{ name: "a", at: "2026-02-30T09:00", ...rest }]), [
      'schedules.0.at: "2026-02-30T09:00" is not a date-time; write e.g. "2026-05-01T09:00" (in timezone) or "2026-05-01T09:00:00Z"',
    ]);
    assert.deepEqual(problems([{ name: "a", every: "500ms", ...rest }]), ["schedules.0.every: must be at least 1s"]);
    assert.deepEqual(problems([{ name: "a", every: "soon", ...rest }]), ['schedules.0.every: "soon" is not a duration (use e.g. 30s, 10m, 24h, or seconds)']);
    assert.deepEqual(problems([{ name: "a", every: "1h", timezone: "UTC", ...rest }]), ["schedules.0.timezone: applies to cron and at only; every counts from 1970-01-01 00:00 UTC"]);
    assert.deepEqual(problems([{ name: "a", every: "1h", ...rest, missed: "catch-up" }]), ['schedules.0.missed: must be one of skip, run-once (got "catch-up")']);
  });

  it("refuses duplicate names, odd names and a missing target", () => {
    assert.deepEqual(problems([{ name: "a", every: "1h", ...rest }, { name: "a", every: "2h", ...rest }]), [
      'schedules.1.name: "a" is used by an earlier schedule; names must be unique',
    ]);
    assert.match(problems([{ name: "daily summary", every: "1h", ...rest }])[0]!, /^schedules\.0\.name: schedule names use letters, digits/);
    assert.deepEqual(problems([{ name: "a", every: "1h", agent: "x", instruction: "y" }]), ["schedules.0.target: required"]);
  });

  it("names schedules whose agent or channel is unknown", () => {
    const schedules = schedulesSchema.parse([{ name: "a", every: "1h", ...rest }]);
    assert.deepEqual(scheduleReferenceIssues(schedules, ["summary-agent"], ["slack-main"]), []);
    assert.deepEqual(scheduleReferenceIssues(schedules, ["other"], []), [
      'schedules.0.agent: unknown agent "summary-agent" (known: other)',
      'schedules.0.target.channel: unknown channel "slack-main" (known: none)',
    ]);
  });
});
