/**
 * Delegation as tools: one `delegate_to_<agentId>` tool per configured delegate. A tool call
 * runs the other agent through `input.delegate` and becomes a `tool_result` block; a call the
 * agent cannot honour (unknown tool, bad input) is answered with an error result, not a crash.
 */
import type { Tool, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { AgentEvent, TurnInput } from "../../core/agent.ts";
import { ConfigError } from "../../core/errors.ts";
import type { ToolCall } from "./stream.ts";

const PREFIX = "delegate_to_";
/** Tool names must match ^[a-zA-Z0-9_-]{1,128}$. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** Check the delegate ids against the configured agents; throws a ConfigError naming the path. */
export function checkDelegates(agentId: string, delegates: readonly string[], known: readonly string[]): void {
  const issues: string[] = [];
  for (const [i, delegate] of delegates.entries()) {
    if (!known.includes(delegate)) issues.push(`agents.${agentId}.delegates[${i}]: there is no agent "${delegate}" (configured: ${known.join(", ") || "none"})`);
    else if (!TOOL_NAME.test(PREFIX + delegate)) issues.push(`agents.${agentId}.delegates[${i}]: "${delegate}" cannot be part of a tool name (use letters, digits, _ and -)`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

export function delegateTools(delegates: readonly string[]): Tool[] {
  return delegates.map((agent) => ({
    name: PREFIX + agent,
    description: `Hand a task to the agent "${agent}" and get its answer back. Write the task so it stands on its own: the agent does not see this conversation.`,
    input_schema: {
      type: "object",
      properties: {
        task: { type: "string", description: "The complete task or question for the agent." },
        expose_to_user: { type: "boolean", description: "Let the user talk to this agent directly afterwards." },
        label: { type: "string", description: "A short name for this line of work; the same label continues the same conversation with the agent." },
      },
      required: ["task"],
    },
  }));
}

/** Run one tool call: yields tool.start/tool.end and returns the `tool_result` for the model. */
export async function* runToolCall(call: ToolCall, delegates: readonly string[], input: TurnInput): AsyncGenerator<AgentEvent, ToolResultBlockParam> {
  yield { type: "tool.start", id: call.id, name: call.name, input: call.input ?? call.json };
  const outcome = await delegateCall(call, delegates, input);
  yield { type: "tool.end", id: call.id, name: call.name, output: outcome.output, isError: outcome.isError };
  return { type: "tool_result", tool_use_id: call.id, content: outcome.output, ...(outcome.isError ? { is_error: true } : {}) };
}

async function delegateCall(call: ToolCall, delegates: readonly string[], input: TurnInput): Promise<{ output: string; isError: boolean }> {
  const agent = call.name.startsWith(PREFIX) ? call.name.slice(PREFIX.length) : undefined;
  if (agent === undefined || !delegates.includes(agent)) return { output: `there is no tool named "${call.name}"`, isError: true };
  const args = call.input;
  if (typeof args !== "object" || args === null || Array.isArray(args)) return { output: "the tool input must be a JSON object", isError: true };
  const { task, expose_to_user: expose, label } = args as Record<string, unknown>;
  if (typeof task !== "string" || task.trim() === "") return { output: "`task` must be a non-empty string", isError: true };
  if (expose !== undefined && typeof expose !== "boolean") return { output: "`expose_to_user` must be a boolean", isError: true };
  if (label !== undefined && typeof label !== "string") return { output: "`label` must be a string", isError: true };
  try {
    const result = await input.delegate({ agent, text: task, ...(expose ? { expose } : {}), ...(label ? { label } : {}) });
    const isError = result.status !== "done";
    return { output: result.reply || (isError ? `the agent "${agent}" did not answer (${result.status})` : "(no reply)"), isError };
  } catch {
    // The detail stays out of the model's context; the gateway logs the sub-turn's failure.
    return { output: `the agent "${agent}" could not be reached`, isError: true };
  }
}
