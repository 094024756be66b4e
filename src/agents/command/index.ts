/**
 * The `command` agent: a CLI coding agent (Claude Code, Codex, Gemini CLI, OpenCode, or any
 * program) run once per turn in a working directory. The CLI's own session id is kept in the
 * gateway session's state, so the next turn resumes the same CLI session — across restarts too.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Agent, AgentEvent, TranscriptEntry, TurnInput } from "../../core/agent.ts";
import { fitTranscript } from "../../core/context-budget.ts";
import { AgentError, ConfigError } from "../../core/errors.ts";
import { parseDuration } from "../../config/duration.ts";
import { claudePreset } from "./claude.ts";
import { codexPreset } from "./codex.ts";
import type { CommandAgentConfig, CommandPreset } from "./config.ts";
import { customPreset } from "./custom.ts";
import { cliEnv } from "./env.ts";
import { geminiPreset } from "./gemini.ts";
import { resolveRunAs } from "./isolation.ts";
import { writeMcpConfig, type McpConfigFile } from "./mcp.ts";
import { opencodePreset } from "./opencode.ts";
import type { Preset } from "./preset.ts";
import { runCli } from "./run.ts";

export { commandAgentSchema, commandPresets, type CommandAgentConfig, type CommandPreset } from "./config.ts";

export interface CommandAgentContext {
  /** The config file's directory: `cwd` is relative to it. */
  baseDir: string;
  agents: () => string[];
}

/** History sent to a fresh CLI session (one that can't resume), in estimated tokens. */
const historyBudget = 8000;

export function createCommandAgent(id: string, config: CommandAgentConfig, context: CommandAgentContext): Agent {
  const presetName: CommandPreset = config.preset ?? "claude";
  const preset = presetFor(presetName, config);
  const command = config.command ?? preset.command;
  if (command === undefined) throw new ConfigError([`agents.${id}.command: required when preset is custom`]);
  const args = config.args ?? [];
  const defaultCwd = resolve(context.baseDir, config.cwd ?? ".");
  if (!isDirectory(defaultCwd)) throw new ConfigError([`agents.${id}.cwd: "${config.cwd ?? defaultCwd}" is not an existing directory`]);
  const timeoutMs = config.timeout !== undefined ? parseDuration(config.timeout) : undefined;
  if (config.timeout !== undefined && timeoutMs === undefined) throw new ConfigError([`agents.${id}.timeout: "${config.timeout}" is not a duration`]);
  // A custom CLI that takes {session} keeps its own history; every other fresh session needs ours.
  const keepsOwnHistory = presetName === "custom" && args.some((a) => a.includes("{session}"));

  return {
    id,
    kind: "command",
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      const { settings } = input;
      const cwd = settings.cwd !== undefined ? resolve(context.baseDir, settings.cwd) : defaultCwd;
      if (!isDirectory(cwd)) throw new AgentError(`the working directory "${cwd}" does not exist`);
      // Refuses here, before anything is spawned, when strict isolation has no user for this person.
      const runAs = await resolveRunAs(config.isolation, input);
      if (input.signal.aborted) return;
      const env = cliEnv({ runAs, config: config.env, settings: settings.env });
      const servers = settings.mcpServers;
      let mcp: McpConfigFile | undefined;
      try {
        if (preset.mcpConfig && servers && Object.keys(servers).length > 0) mcp = await writeMcpConfig(servers, runAs);
        const saved = savedSession(input.state, presetName);

        const attempt = (resume: string | undefined) => {
          const prompt = resume === undefined && !keepsOwnHistory ? withHistory(input.transcript, input.text) : input.text;
          const invocation = preset.invocation({
            prompt,
            resume,
            gatewaySessionId: input.sessionId,
            model: settings.model ?? config.model,
            permissionMode: settings.permissionMode ?? config.permissionMode,
            mcpConfigFile: mcp?.path,
            args,
          });
          return runCli({
            preset,
            invocation,
            command,
            cwd,
            env,
            uid: runAs?.uid,
            gid: runAs?.gid,
            signal: input.signal,
            timeoutMs,
            onSession: (sessionId) => input.setState({ sessionId, preset: presetName }),
          });
        };

        let outcome = yield* attempt(saved);
        // A CLI that can't resume its session (wiped, or another cwd) fails before saying anything:
        // start a fresh one with the conversation so far, rather than failing every turn from now on.
        if (outcome.status === "failed" && outcome.silent && saved !== undefined && !input.signal.aborted) {
          outcome = yield* attempt(undefined);
        }
        if (outcome.status === "failed") throw outcome.error;
        if (outcome.status === "answered" && outcome.text !== "") yield { type: "message", text: outcome.text };
      } finally {
        await mcp?.remove();
      }
    },
  };
}

function presetFor(name: CommandPreset, config: CommandAgentConfig): Preset {
  switch (name) {
    case "claude":
      return claudePreset;
    case "codex":
      return codexPreset;
    case "gemini":
      return geminiPreset;
    case "opencode":
      return opencodePreset;
    case "custom":
      return customPreset(config.output ?? "text");
  }
}

function savedSession(state: Record<string, unknown> | undefined, preset: CommandPreset): string | undefined {
  // A session id of another CLI (the preset was changed) means nothing to this one.
  if (state?.preset !== preset || typeof state.sessionId !== "string") return undefined;
  return state.sessionId;
}

/** The conversation so far, for a CLI session that starts fresh in a gateway session with history. */
function withHistory(transcript: TranscriptEntry[], text: string): string {
  const history = fitTranscript(transcript, historyBudget, Math.ceil(text.length / 4));
  if (history.length === 0) return text;
  const lines = history.map((e) => `${e.role === "user" ? "User" : "Assistant"}: ${e.text}`);
  return `The conversation so far:\n\n${lines.join("\n\n")}\n\nThe new message:\n\n${text}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
