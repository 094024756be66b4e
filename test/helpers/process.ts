/** Runs the real `switchboard` command as a child process, for CLI and crash tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const binPath = fileURLToPath(new URL("../../bin/switchboard.js", import.meta.url));

export interface RunningGateway {
  child: ChildProcess;
  url: string;
  output(): string;
}

/** Start `switchboard start …` and resolve once it prints its URL. */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunningGateway> {
  const child = spawn(process.execPath, [binPath, "start", ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Don't leave a half-started gateway running behind a failed test.
      child.kill("SIGKILL");
      reject(new Error(`gateway did not start in time:\n${out}`));
    }, 20_000);
    const onData = () => {
      // The whole banner: generated keys and tokens are printed after the URL.
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match && out.includes("Stop with Ctrl+C.")) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve({ child, url: match[1]!, output: () => out });
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
}

/** Run a CLI command to completion. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
