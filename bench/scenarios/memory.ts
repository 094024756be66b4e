/**
 * Memory: RSS and store size per idle session in the embedded default (SQLite) at 10k, 100k and
 * 1M sessions, then the same after eviction by TTL. The sessions are made in a child process
 * through the store's accept path (see targets/session-host.ts); RSS is read after a forced GC.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { goalLine } from "../goals.ts";
import type { Scenario } from "../scenario.ts";
import { fixed } from "../stats.ts";
import { markdownTable } from "../table.ts";

interface HostLine {
  phase: "empty" | "filled" | "evicted";
  sessions: number;
  rss: number;
  rssAnon: number;
  rssFile: number;
  heapUsed: number;
  dbBytes: number;
  fillSeconds?: number;
  evicted?: number;
  evictSeconds?: number;
}

const MIB = 1024 * 1024;

export const memoryScenario: Scenario = {
  name: "memory",
  title: "memory: RSS and store size per idle session (SQLite), and after eviction by TTL",
  async run(options) {
    const levels = (options.quick ? [1_000, 10_000] : [10_000, 100_000, 1_000_000]).filter((n) => n <= options.maxSessions);
    if (levels.length === 0) levels.push(options.maxSessions);
    const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-memory-"));
    try {
      const lines = await runHost(dir, levels);
      const empty = lines.find((l) => l.phase === "empty")!;
      const perSession = (bytes: number, base: number, sessions: number) => (sessions > 0 ? fixed((bytes - base) / sessions) : "–");
      const rows = lines.map((l) => [
        l.phase === "evicted" ? `after eviction (${l.evicted} evicted in ${fixed(l.evictSeconds ?? 0, 1)} s)` : l.phase === "empty" ? "empty gateway" : `${l.sessions.toLocaleString("en")} idle sessions`,
        fixed(l.rss / MIB, 1),
        l.phase === "filled" ? perSession(l.rss, empty.rss, l.sessions) : "–",
        l.phase === "filled" ? perSession(l.rssAnon, empty.rssAnon, l.sessions) : "–",
        fixed(l.heapUsed / MIB, 1),
        fixed(l.dbBytes / MIB, 1),
        l.phase === "filled" ? perSession(l.dbBytes, empty.dbBytes, l.sessions) : "–",
        l.fillSeconds === undefined ? "–" : fixed(l.fillSeconds, 1),
      ]);
      console.log();
      console.log(markdownTable([["state", "RSS MiB", "RSS B/session", "anon RSS B/session", "JS heap MiB", "DB+WAL MiB", "DB B/session", "fill s"], ...rows]));
      const largest = lines.filter((l) => l.phase === "filled").at(-1);
      if (largest) console.log(goalLine(`RSS per idle session at ${largest.sessions.toLocaleString("en")}`, (largest.rss - empty.rss) / largest.sessions, 1024, "at most", " B"));
      console.log("(RSS B/session: RSS over the empty gateway's, per session; anon: without mapped files such as the WAL index. The fill runs with synchronous NORMAL to save time; memory and file sizes do not depend on it.)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function runHost(dir: string, levels: number[]): Promise<HostLine[]> {
  const script = fileURLToPath(new URL("../targets/session-host.ts", import.meta.url));
  const child = spawn(process.execPath, ["--expose-gc", script, "--dir", dir, "--levels", levels.join(",")], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: HostLine[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!line.startsWith("{")) return;
    const parsed = JSON.parse(line) as HostLine;
    lines.push(parsed);
    console.log(`  memory: ${parsed.phase} ${parsed.sessions} sessions: RSS ${fixed(parsed.rss / MIB, 1)} MiB, DB ${fixed(parsed.dbBytes / MIB, 1)} MiB`);
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve(lines) : reject(new Error(`the session host exited with ${code}`))));
  });
}
