/**
 * `switchboard schedules list|run-now|pause|resume [name]`: on the store directly, like `pairing`,
 * so it needs no running gateway; a running gateway on the same store sees a pause or a run-now
 * within its next look (5 s at most) and runs a run-now itself.
 */
import { openStore } from "../store/open.ts";
import { resolveConfig } from "./config.ts";
import { Scheduler, pauseSchedule, requestRunNow, resumeSchedule, type ScheduleStatus } from "../core/schedules/index.ts";
import { parseStoredSchedule } from "../core/schedules/service.ts";
import type { ScheduleConfig } from "../config/schedules.ts";

const USAGE = "usage: switchboard schedules list [--json] | run-now <name> | pause <name> | resume <name>";

export async function schedules(args: string[], options: { config?: string; json?: boolean }): Promise<number> {
  const [action, name] = args;
  if (action === undefined || (action !== "list" && name === undefined)) {
    console.error(USAGE);
    return 2;
  }
  const { config } = await resolveConfig(options.config);
  const store = await openStore(config.store);
  try {
    const defs: ScheduleConfig[] = [...config.schedules];
    for (const record of await store.listStoredSchedules()) {
      if (defs.some((d) => d.name === record.id)) continue;
      try {
        defs.push(parseStoredSchedule(record.config).def);
      } catch (error) {
        console.error(`warning: stored schedule ${record.id} does not validate (${(error as Error).message}); it does not run`);
      }
    }
    if (action === "list") return print(await new Scheduler({ store, schedules: defs, fire: async () => undefined }).list(), defs, options.json);
    const def = defs.find((d) => d.name === name);
    if (!def) {
      console.error(`error: unknown schedule "${name}" (known: ${defs.map((d) => d.name).join(", ") || "none"})`);
      return 1;
    }
    const now = Date.now();
    switch (action) {
      case "run-now": {
        if (def.enabled === false) {
          console.error(`error: schedule "${name}" is disabled in the config; enable it first`);
          return 1;
        }
        const slot = await requestRunNow(store, def.name, now);
        console.log(`queued a run of ${def.name} (${slot}); a running gateway starts it within 5 s`);
        return 0;
      }
      case "pause":
        await pauseSchedule(store, def.name, now);
        console.log(`${def.name} paused`);
        return 0;
      case "resume":
        await resumeSchedule(store, def.name, now);
        console.log(`${def.name} resumed; the slots that passed while paused are not made up`);
        return 0;
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await store.close();
  }
}

function print(statuses: ScheduleStatus[], defs: ScheduleConfig[], json: boolean | undefined): number {
  if (json) {
    console.log(JSON.stringify(statuses, null, 2));
    return 0;
  }
  if (statuses.length === 0) console.log("no schedules");
  for (const status of statuses) {
    const def = defs.find((d) => d.name === status.name)!;
    const state = !status.enabled ? "disabled" : status.paused ? "paused" : status.nextRunAt !== undefined ? `next ${new Date(status.nextRunAt).toISOString()}` : "done";
    const last = status.lastRun ? `last ${status.lastRun.status}${status.lastRun.error ? ` (${status.lastRun.error.split("\n")[0]})` : ""}` : "never run";
    console.log(`${status.name.padEnd(24)} ${state.padEnd(32)} ${last.padEnd(24)} → ${def.target.channel} ${def.target.to}`);
  }
  return 0;
}
