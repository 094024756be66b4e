/**
 * A server under test in a process of its own: started from a script, ready once it prints its
 * URL, stopped with SIGTERM (so `--cpu-prof` profiles get written) and SIGKILL if it lingers.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** What marks readiness in its output; the URL is the first http://127.0.0.1:port in it. */
  ready?: string;
  timeoutMs?: number;
}

export function spawnServer(script: string, options: SpawnOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const collect = (data: Buffer) => {
    // Keep the start and the end: enough to explain a failure without holding a whole run's log.
    out = out.length < 20_000 ? out + String(data) : out.slice(0, 10_000) + out.slice(-10_000) + String(data);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not start in time:\n${out}`));
    }, options.timeoutMs ?? 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${out}`));
    };
    const onData = () => {
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
      if (!url || (options.ready !== undefined && !out.includes(options.ready))) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      resolve({ url, pid: child.pid!, child, output: () => out, stop: () => stopChild(child) });
    };
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const lingering = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(lingering);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
