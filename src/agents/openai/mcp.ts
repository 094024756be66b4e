/**
 * MCP tools for an `openai` agent: the tools of the turn's MCP servers (settings.mcpServers with
 * a url) offered as function tools, and a call the model makes run through the MCP client, its
 * result handed back as the tool message.
 */
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import type { McpToolbox } from "../../mcp/client/index.ts";
import type { ToolCall, ToolOutcome } from "./tools.ts";

export function mcpDefinitions(toolbox: McpToolbox | undefined): ChatCompletionFunctionTool[] {
  return (toolbox?.tools ?? []).map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }));
}

export async function runMcpToolCall(call: ToolCall, toolbox: McpToolbox, signal: AbortSignal): Promise<ToolOutcome> {
  let args: unknown;
  try {
    args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch {
    const message = `error: the arguments of ${call.name} are not valid JSON`;
    return { input: call.arguments, output: message, isError: true, result: message };
  }
  const outcome = await toolbox.call(call.name, args, signal);
  return { input: args, output: outcome.text, isError: outcome.isError, result: outcome.text };
}
