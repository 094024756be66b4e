/**
 * The tools an `openai` agent offers its model: one `delegate_to_<agent>` per configured
 * delegate (MCP tools are in mcp.ts). The model may only call what it was offered; anything else
 * it asks for is answered with an error it can read, never a crash.
 */
import { z } from "zod";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import type { DelegateResult, TurnInput } from "../../core/agent.ts";
import { ConfigError } from "../../core/errors.ts";

/** OpenAI's limit on function names. */
export const MAX_NAME_LENGTH = 64;

export interface DelegateTool {
  name: string;
  agent: string;
  definition: ChatCompletionFunctionTool;
}

export function delegateToolName(agentId: string): string {
  return `delegate_to_${agentId.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
}

/** Build the delegate tools; every delegate must be a configured agent, with a usable tool name. */
export function delegateTools(id: string, delegates: readonly string[], knownAgents: readonly string[]): DelegateTool[] {
  const issues: string[] = [];
  const byName = new Map<string, DelegateTool>();
  delegates.forEach((agent, i) => {
    const path = `agents.${id}.delegates.${i}`;
    if (!knownAgents.includes(agent)) {
      issues.push(`${path}: unknown agent "${agent}" (known: ${knownAgents.join(", ") || "none"})`);
      return;
    }
    const name = delegateToolName(agent);
    const clash = byName.get(name);
    if (clash && clash.agent !== agent) issues.push(`${path}: "${agent}" and "${clash.agent}" both become the tool name ${name}; rename one agent`);
    else if (name.length > MAX_NAME_LENGTH) issues.push(`${path}: the tool name ${name} is longer than ${MAX_NAME_LENGTH} characters; use a shorter agent id`);
    else byName.set(name, { name, agent, definition: definition(name, agent) });
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return [...byName.values()];
}

function definition(name: string, agent: string): ChatCompletionFunctionTool {
  return {
    type: "function",
    function: {
      name,
      description: `Ask the ${agent} agent to do a task; it runs in its own sub-session`,
      parameters: {
        type: "object",
        properties: {
          task: { type: "string", description: `What the ${agent} agent should do, with everything it needs to know.` },
          expose_to_user: { type: "boolean", description: "Let the user talk to this sub-agent directly." },
          label: { type: "string", description: "A short name for this line of work; a new label starts a fresh sub-session." },
        },
        required: ["task"],
        additionalProperties: false,
      },
    },
  };
}

const delegateArguments = z.object({
  task: z.string().min(1),
  expose_to_user: z.boolean().optional(),
  label: z.string().min(1).optional(),
});

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ToolOutcome {
  /** What the stream shows as the tool's input and output. */
  input: unknown;
  output: string;
  isError: boolean;
  /** The tool result the model reads. */
  result: string;
}

/**
 * Run one tool call the model made. Bad calls become error results the model can correct.
 * `otherTools`: names offered beside the delegates (MCP tools), for the list in an unknown-tool error.
 */
export async function runToolCall(call: ToolCall, tools: readonly DelegateTool[], input: TurnInput, otherTools: readonly string[] = []): Promise<ToolOutcome> {
  const tool = tools.find((t) => t.name === call.name);
  let args: unknown;
  try {
    args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch {
    return failure(call.arguments, `error: the arguments of ${call.name} are not valid JSON`);
  }
  if (!tool) {
    const offered = [...tools.map((t) => t.name), ...otherTools].join(", ") || "none";
    return failure(args, `error: there is no tool named "${call.name}" (available: ${offered})`);
  }
  const parsed = delegateArguments.safeParse(args);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");
    return failure(args, `error: invalid arguments for ${call.name}: ${problems}`);
  }
  const { task, expose_to_user: expose, label } = parsed.data;
  let result: DelegateResult;
  try {
    result = await input.delegate({ agent: tool.agent, text: task, expose, label });
  } catch {
    // The detail may be internal; the model only needs to know the task did not run.
    return failure(parsed.data, `error: the task could not be handed to the ${tool.agent} agent`);
  }
  if (result.status === "done") return { input: parsed.data, output: result.reply, isError: false, result: result.reply };
  const status = `error: the ${tool.agent} agent's task ended with status "${result.status}"${result.reply ? `: ${result.reply}` : ""}`;
  return { input: parsed.data, output: result.reply, isError: true, result: status };
}

function failure(input: unknown, message: string): ToolOutcome {
  return { input, output: message, isError: true, result: message };
}
