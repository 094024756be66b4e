/** Issue 10's goals, checked against a run's medians and printed under the tables. */
import type { Compared } from "./slack-compare.ts";
import { median } from "./stats.ts";

const med = (entry: Compared, pick: (r: Compared["rounds"][number]) => number) => median(entry.rounds.map(pick));

export function goalLine(what: string, value: number, limit: number, kind: "at least" | "at most" | "under", unit = "×"): string {
  const met = kind === "at least" ? value >= limit : kind === "at most" ? value <= limit : value < limit;
  return `goal ${met ? "met" : "NOT met"}: ${what} ${value.toFixed(2)}${unit} (${kind} ${limit}${unit})`;
}

/** End to end: messages/s at least half the bare server's, CPU per message at most twice its, nothing lost or doubled. */
export function e2eGoals(bare: Compared, gateway: Compared): string[] {
  const lost = gateway.rounds.reduce((n, r) => n + r.unanswered, 0);
  const doubled = gateway.rounds.reduce((n, r) => n + r.duplicates, 0);
  return [
    goalLine("gateway msg/s vs bare", med(gateway, (r) => r.perSecond) / med(bare, (r) => r.perSecond), 0.5, "at least"),
    goalLine("gateway CPU/msg vs bare", med(gateway, (r) => r.cpuMsPerMessage) / med(bare, (r) => r.cpuMsPerMessage), 2, "at most"),
    `${lost === 0 && doubled === 0 ? "goal met" : "goal NOT met"}: gateway replies lost ${lost}, duplicated ${doubled} (zero each)`,
  ];
}

/** Ack: p99 under twice the bare server's at the same load. */
export function ackGoals(bare: Compared, gateway: Compared): string[] {
  return [goalLine("gateway ack p99 vs bare at the same load", med(gateway, (r) => r.ackP99) / med(bare, (r) => r.ackP99), 2, "under")];
}
