/**
 * The memory scenario's subject, run as its own process with --expose-gc: a gateway (echo agent,
 * the embedded SQLite store) whose store is filled with idle sessions through the store's own
 * accept path, one accepted and answered message per session, level after level. At each level it
 * collects garbage and prints one JSON line: sessions, RSS, heap, DB size. Then it evicts them by
 * TTL (the sweep a gateway runs every minute, at a clock past the TTL) and prints the same again.
 *
 *   node --expose-gc bench/targets/session-host.ts --dir <dir> --levels 10000,100000,1000000
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { createGateway } from "../../src/switchboard.ts";
import { createLogger } from "../../src/core/log.ts";
import type { Store } from "../../src/store/store.ts";

const { values } = parseArgs({ options: { dir: { type: "string" }, levels: { type: "string", default: "10000,100000,1000000" } } });
if (!values.dir) throw new Error("session-host: --dir is required");
const dir = values.dir;
const levels = values.levels.split(",").map(Number);
if (levels.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`session-host: --levels wants whole numbers, got "${values.levels}"`);

const SESSION_TTL_MS = 24 * 3_600_000;
const DEDUPE_TTL_MS = 7 * 86_400_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("session-host: run with --expose-gc");

// The fill is not what is measured: NORMAL skips the per-commit fsync (memory and file size are the same).
const store = await openSqliteStore(join(dir, "switchboard.db"), { synchronous: "NORMAL" });
const gateway = createGateway({
  store,
  config: { defaultAgent: "echo", agents: { echo: { kind: "echo" } }, channels: { api: { type: "http" } }, server: { port: 0 } },
  log: createLogger({ level: "error" }),
});
await gateway.start();

function dbBytes(): number {
  return readdirSync(dir)
    .filter((name) => name.startsWith("switchboard.db"))
    .reduce((total, name) => total + statSync(join(dir, name)).size, 0);
}

async function settle(): Promise<void> {
  // Twice, with a pause: finalizers and SQLite's page cache release after the first pass.
  gc!();
  await new Promise((r) => setTimeout(r, 200));
  gc!();
}

/** RSS split into anonymous memory (heaps, SQLite's page cache) and mapped files (the WAL index). */
function rssParts(): { rssAnon: number; rssFile: number } {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rssAnon: kb("RssAnon"), rssFile: kb("RssFile") + kb("RssShmem") };
}

async function report(phase: string, sessions: number, extra: Record<string, number> = {}): Promise<void> {
  await settle();
  const memory = process.memoryUsage();
  console.log(JSON.stringify({ phase, sessions, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, ...rssParts(), dbBytes: dbBytes(), ...extra }));
}

/** One idle session: a DM's first message accepted, answered and committed, as a turn leaves it. */
async function addSession(s: Store, i: number, now: number): Promise<void> {
  const user = `U${String(i).padStart(9, "0")}`;
  const outcome = await s.accept({
    channel: "slack",
    eventId: `Ev${i}`,
    now,
    dedupeTtlMs: DEDUPE_TTL_MS,
    session: { agent: "echo", ttlMs: SESSION_TTL_MS, threadKey: { channel: "slack", key: `dm:${user}` } },
    item: { kind: "message", text: `hello ${i}`, sender: { id: user, name: `user${i}` }, replyTo: { conversation: `D${user.slice(1)}`, user } },
    maxPendingPerSession: 1000,
  });
  if (outcome.status !== "accepted") throw new Error(`session-host: message ${i} was ${outcome.status}`);
  const done = await s.completeTurn({
    sessionId: outcome.sessionId,
    messageIds: [outcome.messageId],
    status: "done",
    reply: `hello ${i}`,
    transcript: [
      { role: "user", text: `hello ${i}`, at: now, messageId: outcome.messageId },
      { role: "assistant", text: `hello ${i}`, at: now, messageId: outcome.messageId },
    ],
    outbox: [],
    now,
  });
  if (!done) throw new Error(`session-host: the turn of message ${i} did not commit`);
}

await report("empty", 0);
let made = 0;
for (const level of levels) {
  const started = performance.now();
  const now = Date.now();
  for (; made < level; made++) await addSession(store, made, now);
  await report("filled", made, { fillSeconds: (performance.now() - started) / 1000 });
}

// The sweep a gateway runs every minute, at a clock one day on: every session is past its TTL.
const later = Date.now() + SESSION_TTL_MS + 60_000;
const started = performance.now();
let evicted = 0;
for (let batch = await store.evictExpired(later, 500); batch > 0; batch = await store.evictExpired(later, 500)) evicted += batch;
await report("evicted", made - evicted, { evicted, evictSeconds: (performance.now() - started) / 1000 });
await gateway.stop();
