/**
 * Puts the fake `claude` where a command agent can run it: a temp dir with an executable
 * `claude` shell wrapper (`exec <pinned node> fake-claude.ts "$@"`), and a state dir the fake
 * writes to. Both are world-readable (the state dir world-writable) so a strict-isolation test
 * can run the fake as another Unix user.
 */
import { chmodSync, copyFileSync, existsSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const fakeClaudePath = fileURLToPath(new URL("./fake-claude.ts", import.meta.url));

export interface FakeCall {
  pid: number;
  argv: string[];
  cwd: string;
  uid: number;
  gid: number;
  env: Record<string, string>;
  prompt: string;
  mcpConfigPath?: string;
  mcpConfig?: unknown;
  grandchild?: { pid: number; mark: string };
}

export interface FakeClaude {
  /** The wrapper: use it as the agent's `command`. */
  command: string;
  /** The dir holding the wrapper, named `claude`: put it on PATH to run the preset's default. */
  binDir: string;
  /** Pass as the agent's `env` so the fake finds its state. */
  env: Record<string, string>;
  dir: string;
  calls(): FakeCall[];
  remove(): void;
}

/**
 * `portable`: for runs as another Unix user, who may not be able to enter the checkout (a
 * private temp dir in CI): the fake and a Node binary are placed in the world-readable bin dir.
 */
export function installFakeClaude(options: { portable?: boolean } = {}): FakeClaude {
  const binDir = mkdtempSync(join(tmpdir(), "fake-claude-bin-"));
  const dir = mkdtempSync(join(tmpdir(), "fake-claude-state-"));
  chmodSync(binDir, 0o755);
  chmodSync(dir, 0o777);
  const command = join(binDir, "claude");
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  let node = process.execPath;
  let script = fakeClaudePath;
  if (options.portable) {
    script = join(binDir, "fake-claude.ts");
    copyFileSync(fakeClaudePath, script);
    chmodSync(script, 0o644);
    node = join(binDir, "node");
    try {
      linkSync(process.execPath, node); // same filesystem: no copy
    } catch {
      copyFileSync(process.execPath, node);
    }
    chmodSync(node, 0o755);
  }
  writeFileSync(command, `#!/bin/sh\nexec ${quote(node)} --no-warnings ${quote(script)} "$@"\n`, { mode: 0o755 });
  const log = join(dir, "calls.jsonl");
  return {
    command,
    binDir,
    env: { FAKE_CLAUDE_DIR: dir },
    dir,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as FakeCall)
        : [],
    remove() {
      rmSync(binDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a process still exists (a zombie counts as gone only once reaped, so check the state). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie waiting for its parent to reap it is dead for our purposes.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}
