/** Builds agents from their config entries; each kind lives in its own folder. */
import type { Agent } from "../core/agent.ts";
import type { AgentConfig } from "../config/schema.ts";
import { createEchoAgent } from "./echo/index.ts";
import { loadFunctionAgent } from "./function/index.ts";
import { createOpenaiAgent } from "./openai/index.ts";
import { createAnthropicAgent } from "./anthropic/index.ts";
import { createA2aAgent } from "./a2a/index.ts";
import { createCommandAgent } from "./command/index.ts";
import { createHttpAgent } from "./http/index.ts";

export interface AgentBuildContext {
  /** The config file's directory: relative paths (modules, worktrees) start here. */
  baseDir: string;
  /** Every configured agent id, for coordinators that delegate. */
  agents: () => string[];
}

export async function agentFromConfig(id: string, config: AgentConfig, context: AgentBuildContext): Promise<Agent> {
  switch (config.kind) {
    case "echo":
      return createEchoAgent(id, { delayMs: config.delay, prefix: config.prefix });
    case "function":
      return loadFunctionAgent(id, config, context.baseDir);
    case "openai":
      return createOpenaiAgent(id, config, context);
    case "anthropic":
      return createAnthropicAgent(id, config, context);
    case "a2a":
      return createA2aAgent(id, config, context);
    case "command":
      return createCommandAgent(id, config, context);
    case "http":
      return createHttpAgent(id, config, context);
  }
}
