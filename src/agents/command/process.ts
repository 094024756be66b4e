/**
 * One CLI run as a child process in its own process group, so that stopping it (interrupt,
 * timeout, shutdown) stops everything it started: SIGTERM to the group, SIGKILL after a grace
 * period. stdout is read as it comes; stderr is kept in a bounded buffer for the log only.
 */
import { spawn, type ChildProcess } from "node:child_process";

export const killGraceMs = 2000;
/** How long a CLI may linger after printing its answer (CLIs have hung on open MCP connections). */
export const settleMs = 3000;
const stderrLimit = 64 * 1024;

export interface CliRunOptions {
  command: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  stdin?: string;
  signal: AbortSignal;
  /** The agent's own timeout, on top of the core's turn timeout (which aborts `signal`). */
  timeoutMs?: number;
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The spawn itself failed (ENOENT, EACCES…). */
  spawnError?: NodeJS.ErrnoException;
  timedOut: boolean;
}

export class CliProcess {
  readonly exited: Promise<CliExit>;
  private readonly child: ChildProcess;
  private readonly stderr = new TailBuffer(stderrLimit);
  private timedOut = false;
  private stopping = false;
  private closed = false;
  private timeout: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(options: CliRunOptions) {
    this.child = spawn(options.command, options.argv, {
      cwd: options.cwd,
      env: options.env,
      uid: options.uid,
      gid: options.gid,
      detached: true, // its own process group: see stop()
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    this.child.once("error", (error) => (spawnError = error));
    this.child.stdin?.on("error", () => undefined); // the CLI may exit without reading it
    this.child.stdin?.end(options.stdin);
    this.child.stderr!.on("data", (chunk: Buffer) => this.stderr.push(chunk));
    this.child.stdout!.setEncoding("utf8");
    // Whatever the CLI left running in its group goes with it: a turn's processes end with the turn.
    this.child.once("exit", () => this.stop());

    const onAbort = () => this.stop();
    options.signal.addEventListener("abort", onAbort, { once: true });
    if (options.signal.aborted) this.stop();
    if (options.timeoutMs !== undefined) {
      this.timeout = setTimeout(() => {
        this.timedOut = true;
        this.stop();
      }, options.timeoutMs);
    }
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        this.closed = true;
        options.signal.removeEventListener("abort", onAbort);
        clearTimeout(this.timeout);
        clearTimeout(this.settleTimer);
        resolve({ code, signal, spawnError, timedOut: this.timedOut });
      });
    });
  }

  /** stdout as it arrives, until the CLI (and every process holding its stdout) is gone. */
  stdout(): AsyncIterable<string> {
    return this.child.stdout as AsyncIterable<string>;
  }

  stderrTail(): string {
    return this.stderr.text();
  }

  /** The CLI has given its answer: let it exit by itself for a moment, then stop it. */
  settle(): void {
    if (!this.closed) this.settleTimer ??= setTimeout(() => this.stop(), settleMs);
  }

  /** SIGTERM to the whole process group, then SIGKILL to whatever is left after the grace period. */
  stop(): void {
    const pid = this.child.pid;
    // Once closed, a stop already under way (SIGKILL pending) has covered the group.
    if (this.stopping || this.closed || pid === undefined) return;
    this.stopping = true;
    if (!signalGroup(pid, "SIGTERM")) return; // the group is already gone
    // Not cleared when the CLI exits: a grandchild that ignores SIGTERM must still go.
    setTimeout(() => signalGroup(pid, "SIGKILL"), killGraceMs);
  }
}

/** Signal a process group; false when it no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: all gone; EPERM can't happen for our own children
  }
}

/** Split text chunks into lines, holding back a partial last line. */
export async function* lines(chunks: AsyncIterable<string>): AsyncIterable<string> {
  let pending = "";
  for await (const chunk of chunks) {
    pending += chunk;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      yield pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
  if (pending !== "") yield pending;
}

/** The last `limit` bytes written: enough to diagnose a failure, never unbounded. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString("utf8");
  }
}
