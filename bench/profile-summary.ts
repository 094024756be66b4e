/**
 * Reads the `.cpuprofile` files `--cpu-prof` wrote and lists, per profile, the functions with the
 * most self time: where a server's CPU actually goes.
 *
 *   node bench/profile-summary.ts <dir> [--top 25]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { markdownTable } from "./table.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const root = fileURLToPath(new URL("..", import.meta.url));

function where(frame: ProfileNode["callFrame"]): string {
  if (!frame.url) return "";
  const path = frame.url.startsWith("file://") ? relative(root, fileURLToPath(frame.url)) : frame.url;
  return `${path}:${frame.lineNumber + 1}`;
}

/** Self time per function (name and place), in ms, most first. */
export function selfTimes(profile: CpuProfile): Array<{ name: string; where: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, { name: string; where: string; ms: number }>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const name = node.callFrame.functionName || "(anonymous)";
    const at = where(node.callFrame);
    const key = `${name}@${at}`;
    const entry = totals.get(key) ?? { name, where: at, ms: 0 };
    entry.ms += ms;
    totals.set(key, entry);
    if (name !== "(idle)") all += ms;
  });
  return [...totals.values()]
    .filter((entry) => entry.name !== "(idle)")
    .sort((a, b) => b.ms - a.ms)
    .map((entry) => ({ ...entry, share: entry.ms / all }));
}

export function summarizeProfiles(dir: string, top = 25): string {
  const files = readdirSync(dir).filter((name) => name.endsWith(".cpuprofile")).sort();
  if (files.length === 0) return `no .cpuprofile files in ${dir}`;
  return files
    .map((file) => {
      const rows = selfTimes(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile).slice(0, top);
      const busy = rows.length ? rows[0]!.ms / rows[0]!.share : 0;
      return [
        `${file}: ${busy.toFixed(0)} ms busy`,
        markdownTable([["self ms", "share", "function", "where"], ...rows.map((r) => [r.ms.toFixed(0), `${(r.share * 100).toFixed(1)}%`, r.name, r.where])]),
      ].join("\n");
    })
    .join("\n\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" } } });
  if (!positionals[0]) throw new Error("usage: node bench/profile-summary.ts <dir with .cpuprofile files> [--top 25]");
  console.log(summarizeProfiles(positionals[0], Number(values.top)));
}
