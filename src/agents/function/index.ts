/**
 * The `function` agent: in-process TypeScript or JavaScript. The function may be an async
 * generator of agent events, or return a string (or a promise of one) for the final message.
 * From config it is loaded from a module: a `default` export, a named export, or a `create`
 * factory that takes the configured options.
 */
import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
import type { Agent, AgentEvent, TurnInput } from "../../core/agent.ts";
import { ConfigError } from "../../core/errors.ts";

export type AgentFunction = (input: TurnInput) => AsyncIterable<AgentEvent> | Iterable<AgentEvent> | Promise<string | void> | string | void;

export function createFunctionAgent(id: string, fn: AgentFunction): Agent {
  return {
    id,
    kind: "function",
    async *run(input) {
      const result = fn(input);
      if (isIterable(result)) {
        yield* result as AsyncIterable<AgentEvent>;
        return;
      }
      const text = await result;
      if (typeof text === "string") yield { type: "message", text };
    },
  };
}

function isIterable(value: unknown): value is AsyncIterable<AgentEvent> | Iterable<AgentEvent> {
  if (value === null || typeof value !== "object") return false;
  return Symbol.asyncIterator in value || (Symbol.iterator in value && typeof value !== "string");
}

export interface FunctionAgentConfig {
  module: string;
  export?: string;
  options?: Record<string, unknown>;
}

/** Load the function named by config; `baseDir` is the config file's directory. */
export async function loadFunctionAgent(id: string, config: FunctionAgentConfig, baseDir: string): Promise<Agent> {
  const path = isAbsolute(config.module) ? config.module : resolve(baseDir, config.module);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([`agents.${id}.module: cannot load "${config.module}": ${(error as Error).message}`]);
  }
  // With `options`, the export is a factory that builds the agent function from them.
  const isFactory = config.options !== undefined;
  const name = config.export ?? (isFactory ? "create" : "default");
  const exported = mod[name];
  if (typeof exported !== "function") {
    throw new ConfigError([`agents.${id}.export: "${config.module}" has no function export named "${name}"`]);
  }
  const fn = isFactory ? (exported as (o: unknown) => AgentFunction)(config.options) : (exported as AgentFunction);
  if (typeof fn !== "function") throw new ConfigError([`agents.${id}.export: ${name}(options) of "${config.module}" did not return a function`]);
  return createFunctionAgent(id, fn);
}
