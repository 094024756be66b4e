/**
 * One CLI run: start the process, feed its stdout to the preset's parser, forward the events,
 * and decide how it ended. Failures carry the CLI's stderr tail as `cause`, for the log only:
 * the person talking to the agent sees the gateway's apology, never the CLI's diagnostics.
 */
import type { AgentEvent } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";
import type { Invocation, Preset, StreamItem } from "./preset.ts";
import { CliProcess, lines, type CliExit, type CliRunOptions } from "./process.ts";

export type CliOutcome =
  | { status: "answered"; text: string }
  | { status: "aborted" }
  /** `silent`: the CLI exited non-zero without printing anything the parser understood. */
  | { status: "failed"; error: AgentError; silent: boolean };

export interface CliRun extends Omit<CliRunOptions, "argv" | "stdin"> {
  preset: Preset;
  invocation: Invocation;
  onSession(id: string): void;
}

export async function* runCli(run: CliRun): AsyncGenerator<AgentEvent, CliOutcome> {
  const { preset, signal } = run;
  const name = preset.name;
  let cli: CliProcess;
  try {
    cli = new CliProcess({ ...run, argv: run.invocation.argv, stdin: run.invocation.stdin });
  } catch (error) {
    return { status: "failed", error: new AgentError(`the ${name} CLI could not be started`, { cause: error }), silent: false };
  }
  const parser = preset.parser();
  let answer: string | undefined;
  let failure: { reason: string; detail?: string } | undefined;
  let broken: unknown;
  let understood = false;
  let drained = false;

  function* take(items: StreamItem[]): Generator<AgentEvent> {
    for (const item of items) {
      understood = true;
      if (item.kind === "event") yield item.event;
      else if (item.kind === "session") run.onSession(item.id);
      else if (item.kind === "result") {
        answer = item.text;
        cli.settle();
      } else {
        failure ??= item;
        cli.settle();
      }
    }
  }

  try {
    const stdout = parser.mode === "lines" ? lines(cli.stdout()) : cli.stdout();
    for await (const piece of stdout) {
      let items: StreamItem[];
      try {
        items = parser.parse(piece);
      } catch (error) {
        broken = error;
        break;
      }
      yield* take(items);
    }
    drained = broken === undefined;
  } finally {
    // Ended early (a broken stream, or the turn was abandoned): stop the CLI and all it started.
    if (!drained) cli.stop();
  }
  const exit = await cli.exited;
  yield* take(parser.end(exit.code));

  if (signal.aborted) return { status: "aborted" };
  const stderr = cli.stderrTail();
  const fail = (message: string, detail?: string, silent = false): CliOutcome => ({
    status: "failed",
    error: new AgentError(message, { cause: diagnostics(detail, stderr) }),
    silent,
  });
  if (exit.timedOut) return fail(`the ${name} CLI did not finish within ${formatMs(run.timeoutMs ?? 0)} and was stopped`);
  if (broken !== undefined) return fail(broken instanceof AgentError ? broken.message : `the ${name} CLI's output could not be read`);
  if (exit.spawnError) return fail(spawnFailure(name, run.command, exit));
  if (failure) return fail(failure.reason, failure.detail);
  if (answer !== undefined) return { status: "answered", text: answer };
  if (exit.signal) return fail(`the ${name} CLI was killed by ${exit.signal}`);
  if (exit.code !== 0) return fail(`the ${name} CLI exited with code ${exit.code}`, undefined, !understood);
  return fail(`the ${name} CLI exited without an answer`);
}

function spawnFailure(name: string, command: string, exit: CliExit): string {
  const code = exit.spawnError?.code;
  if (code === "ENOENT") return `the ${name} CLI was not found: "${command}" is not an executable on PATH (set \`command\`)`;
  if (code === "EACCES" || code === "EPERM") return `the ${name} CLI could not be started: permission denied (is "${command}" executable, and the working directory reachable, by its Unix user?)`;
  return `the ${name} CLI could not be started (${code ?? "unknown error"})`;
}

/** What the log gets: the CLI's own error text and its stderr tail. */
function diagnostics(detail: string | undefined, stderr: string): Error {
  const parts = [detail ? `CLI error: ${detail}` : "", stderr.trim() ? `stderr (tail): ${stderr.trim()}` : "stderr: (empty)"].filter(Boolean);
  return new Error(parts.join("\n"));
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
