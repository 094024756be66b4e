/** The benchmark's result table: the median of each setup's rounds, its spread, and the ratios that matter. */
import type { Measurement } from "./measure.ts";
import type { Setup } from "./setups.ts";

export interface SetupResults {
  setup: Setup;
  results: Measurement[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function resultTable(rows: SetupResults[]): string {
  const medians = new Map(rows.map(({ setup, results }) => [setup, median(results.map((r) => r.perSecond))]));
  const baseline = (name: string) => [...medians].find(([setup]) => setup.name.includes(name) && setup.instances === 1)?.[1];
  const bare = baseline("bare");
  const sqlite = baseline("SQLite");
  const ratio = (value: number, base: number | undefined) => (base === undefined ? "–" : `${(value / base).toFixed(2)}×`);
  const cells = [
    ["setup", "instances", "msg/s (median)", "rounds min–max", "vs SQLite ×1", "vs bare"],
    ...rows.map(({ setup, results }) => {
      const perSecond = results.map((r) => r.perSecond);
      const value = medians.get(setup)!;
      return [setup.name, String(setup.instances), value.toFixed(0), `${Math.min(...perSecond).toFixed(0)}–${Math.max(...perSecond).toFixed(0)}`, ratio(value, sqlite), ratio(value, bare)];
    }),
  ];
  return markdownTable(cells);
}

/** Rows of cells (the first row the header) as an aligned Markdown table, ready for the README. */
export function markdownTable(cells: string[][]): string {
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [line(cells[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}
