/**
 * `npm run bench`: every scenario, each printing its table (or one: `--scenario ack`).
 * Baselines run in the same process tree and rounds alternate between the servers compared;
 * figures are medians of the rounds.
 *
 *   npm run bench [-- --scenario ack|e2e|peers|memory|backlog] [--quick] [--rounds 3]
 *     [--messages 20000] [--connections 64] [--users 1000] [--warmup 1000]
 *     [--max-sessions 1000000] [--backlog 100000] [--profile]
 *
 * --quick: a short smoke run (small batches, one round). --profile: the servers run with
 * --cpu-prof into a temp dir, and the top self-time functions are printed at the end.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machineHeader } from "./machine.ts";
import { summarizeProfiles } from "./profile-summary.ts";
import type { BenchOptions, Scenario } from "./scenario.ts";
import { ackScenario } from "./scenarios/ack.ts";
import { backlogScenario } from "./scenarios/backlog.ts";
import { e2eScenario } from "./scenarios/e2e.ts";
import { memoryScenario } from "./scenarios/memory.ts";
import { peersScenario } from "./scenarios/peers.ts";

const scenarios: Scenario[] = [ackScenario, e2eScenario, peersScenario, memoryScenario, backlogScenario];

const { values } = parseArgs({
  options: {
    scenario: { type: "string", multiple: true },
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    messages: { type: "string" },
    connections: { type: "string" },
    users: { type: "string" },
    warmup: { type: "string" },
    "max-sessions": { type: "string" },
    backlog: { type: "string" },
    profile: { type: "boolean", default: false },
  },
});

function count(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} wants a whole number of at least ${min}, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const quick = values.quick;
const options: BenchOptions = {
  quick,
  rounds: count("rounds", values.rounds, quick ? 1 : 3),
  messages: count("messages", values.messages, quick ? 1_000 : 20_000),
  connections: count("connections", values.connections, 64),
  users: count("users", values.users, quick ? 100 : 1_000),
  warmup: count("warmup", values.warmup, quick ? 200 : 1_000, 0),
  maxSessions: count("max-sessions", values["max-sessions"], 1_000_000),
  backlog: count("backlog", values.backlog, quick ? 2_000 : 100_000),
  profileDir: values.profile ? mkdtempSync(join(tmpdir(), "switchboard-bench-profiles-")) : undefined,
};

const names = values.scenario ?? scenarios.map((s) => s.name);
const unknown = names.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.map((n) => `"${n}"`).join(", ")}; the scenarios are ${scenarios.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

const started = performance.now();
console.log(machineHeader(options));
for (const scenario of scenarios.filter((s) => names.includes(s.name))) {
  console.log();
  console.log(`## ${scenario.title}`);
  const scenarioStarted = performance.now();
  await scenario.run(options);
  console.log(`(${scenario.name}: ${((performance.now() - scenarioStarted) / 1000).toFixed(0)} s)`);
}
if (options.profileDir) {
  console.log();
  console.log(`## CPU profiles (${options.profileDir})`);
  console.log(summarizeProfiles(options.profileDir));
}
console.log();
console.log(`Whole run: ${((performance.now() - started) / 1000).toFixed(0)} s`);
