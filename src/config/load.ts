/**
 * Loading switchboard.yaml: read the YAML, substitute environment variables, validate against the
 * schema, and report every problem at once as a ConfigError, each line naming its config path.
 */
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { YAMLError } from "yaml";
import { ConfigError } from "../core/errors.ts";
import { interpolateEnv } from "./interpolate.ts";
import { configErrorMap, formatIssues } from "./issues.ts";
import { agentReferenceIssues, configSchema } from "./schema.ts";
import type { SwitchboardConfig } from "./schema.ts";

export interface ConfigOptions {
  /** Where `${VAR}` references are looked up; `process.env` unless set. */
  env?: NodeJS.ProcessEnv;
  /** Agents will also be added in code: check agent references at start, not here. */
  deferAgentChecks?: boolean;
}

export interface LoadedConfig {
  config: SwitchboardConfig;
  /** The config file's directory: relative paths in the config (store, agent modules) start here. */
  baseDir: string;
  /** The absolute path of the file that was read. */
  path: string;
}

/** The names `findConfigFile` looks for, in order. */
export const configFileNames = ["switchboard.yaml", "switchboard.yml"] as const;

/** Validates an already-parsed config tree. `null` or `undefined` (an empty file) means `{}`. */
export function parseConfig(input: unknown, options: ConfigOptions = {}): SwitchboardConfig {
  const { value, issues } = interpolateEnv(input ?? {}, options.env);
  // Validating values with unresolved references would only add errors that are really the same one.
  if (issues.length > 0) throw new ConfigError(issues);
  const result = configSchema.safeParse(value, { error: configErrorMap });
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues));
  if (!options.deferAgentChecks) {
    const references = agentReferenceIssues(result.data, Object.keys(result.data.agents));
    if (references.length > 0) throw new ConfigError(references);
  }
  return result.data;
}

export async function loadConfigFile(file: string, options: ConfigOptions = {}): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `cannot read: ${(err as Error).message}`;
    throw new ConfigError([`${file}: ${reason}`]);
  }
  const config = parseConfig(readYaml(file, text), options);
  const baseDir = path.dirname(absolute);
  return { config: { ...config, store: resolveStore(config.store, baseDir) }, baseDir, path: absolute };
}

/** `switchboard.yaml` or `switchboard.yml` in `cwd`, as an absolute path. */
export function findConfigFile(cwd: string): string | undefined {
  for (const name of configFileNames) {
    const candidate = path.resolve(cwd, name);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  }
  return undefined;
}

/**
 * What runs when there is no config file: an HTTP API and a web chat, both answered by an echo
 * agent. Both are open without a key, so the host is pinned to loopback here rather than left to
 * the schema's default: only this machine can reach them.
 */
export function defaultConfig(): SwitchboardConfig {
  return parseConfig(
    {
      server: { host: "127.0.0.1" },
      defaultAgent: "helper",
      agents: { helper: { kind: "echo" } },
      channels: { api: { type: "http" }, web: { type: "webchat" } },
    },
    { env: {} },
  );
}

function readYaml(file: string, text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((err) => syntaxIssue(file, err, lineCounter)));
  try {
    return doc.toJS();
  } catch (err) {
    // Alias problems (an unknown anchor, too many aliases) only show when the tree is built.
    throw new ConfigError([`${file}: ${(err as Error).message}`]);
  }
}

/** `file:line:col: message`, the form editors and terminals turn into a link. */
function syntaxIssue(file: string, err: YAMLError, lineCounter: LineCounter): string {
  const offset = err.pos[0];
  if (offset < 0) return `${file}: ${err.message}`;
  const { line, col } = lineCounter.linePos(offset);
  return `${file}:${line}:${col}: ${err.message}`;
}

/**
 * A relative `sqlite:` path is relative to the config file, not to wherever the process happens to
 * start, so one config file always means one database.
 */
function resolveStore(store: string, baseDir: string): string {
  const scheme = "sqlite:";
  if (!store.startsWith(scheme)) return store;
  const file = store.slice(scheme.length);
  if (file === "" || file === ":memory:" || path.isAbsolute(file)) return store;
  return scheme + path.resolve(baseDir, file);
}
