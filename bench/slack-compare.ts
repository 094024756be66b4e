/**
 * Several Slack servers under the same load, taking turns round after round (a burst of other
 * work on the machine then does not land on one server alone), and the table of their medians,
 * with the first server (the bare baseline) as the reference for the ratios.
 */
import { slackRound, type SlackLoad, type SlackRound } from "./slack-round.ts";
import type { SlackTarget } from "./slack-targets.ts";
import { fixed, median } from "./stats.ts";
import { markdownTable } from "./table.ts";

export interface Compared {
  target: SlackTarget;
  rounds: SlackRound[];
}

export async function compareSlackTargets(targets: SlackTarget[], load: SlackLoad, rounds: number, options: { profileDir?: string; label: string }): Promise<Compared[]> {
  const results: Compared[] = targets.map((target) => ({ target, rounds: [] }));
  for (let round = 1; round <= rounds; round++) {
    for (const entry of results) {
      const result = await slackRound(entry.target, load, options);
      entry.rounds.push(result);
      const problems = [
        result.failedRequests ? `${result.failedRequests} failed requests (${result.firstFailure})` : "",
        result.unanswered ? `${result.unanswered} unanswered` : "",
        result.duplicates ? `${result.duplicates} duplicate replies` : "",
      ].filter(Boolean);
      console.log(`  ${options.label} round ${round}: ${entry.target.name}: ${result.perSecond.toFixed(0)}/s, ${result.cpuMsPerMessage.toFixed(3)} ms CPU/msg${problems.length ? `; ${problems.join(", ")}` : ""}`);
    }
  }
  return results;
}

const med = (rounds: SlackRound[], pick: (r: SlackRound) => number) => median(rounds.map(pick));

/** Throughput, CPU and latency per server; `replies` adds the reply latency and the lost/duplicate counts. */
export function slackTable(results: Compared[], options: { replies: boolean; unit: string }): string {
  const base = results[0]!;
  const basePerSecond = med(base.rounds, (r) => r.perSecond);
  const baseCpu = med(base.rounds, (r) => r.cpuMsPerMessage);
  const header = [
    "server",
    `${options.unit} (median)`,
    "rounds min–max",
    "vs bare",
    "CPU ms/msg",
    "CPU vs bare",
    "ack p50 ms",
    "ack p99 ms",
    ...(options.replies ? ["reply p50 ms", "reply p99 ms", "unanswered (all rounds)", "duplicates (all rounds)"] : []),
  ];
  const rows = results.map(({ target, rounds }) => {
    const perSecond = med(rounds, (r) => r.perSecond);
    const cpu = med(rounds, (r) => r.cpuMsPerMessage);
    const all = rounds.map((r) => r.perSecond);
    const sum = (pick: (r: SlackRound) => number) => rounds.reduce((total, r) => total + pick(r), 0);
    return [
      target.name,
      fixed(perSecond),
      `${fixed(Math.min(...all))}–${fixed(Math.max(...all))}`,
      `${(perSecond / basePerSecond).toFixed(2)}×`,
      fixed(cpu, 3),
      `${(cpu / baseCpu).toFixed(2)}×`,
      fixed(med(rounds, (r) => r.ackP50), 2),
      fixed(med(rounds, (r) => r.ackP99), 2),
      ...(options.replies
        ? [fixed(med(rounds, (r) => r.replyP50), 1), fixed(med(rounds, (r) => r.replyP99), 1), String(sum((r) => r.unanswered)), String(sum((r) => r.duplicates))]
        : []),
    ];
  });
  return markdownTable([header, ...rows]);
}
