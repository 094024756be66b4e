/** Builds agents from their config entries; each kind lives in its own folder. */
import type { Agent } from "../core/agent.ts";
import type { AgentConfig } from "../config/schema.ts";
import { createEchoAgent } from "./echo/index.ts";
import { loadFunctionAgent } from "./function/index.ts";

export async function agentFromConfig(id: string, config: AgentConfig, baseDir: string): Promise<Agent> {
  switch (config.kind) {
    case "echo":
      return createEchoAgent(id, { delayMs: config.delay, prefix: config.prefix });
    case "function":
      return loadFunctionAgent(id, config, baseDir);
  }
}
