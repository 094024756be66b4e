/**
 * MCP tools for an `anthropic` agent: the tools of the turn's MCP servers (settings.mcpServers
 * with a url) offered as client tools, and a `tool_use` for one of them run through the MCP client
 * and answered with its `tool_result`.
 */
import type { Tool, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { AgentEvent } from "../../core/agent.ts";
import type { McpToolbox } from "../../mcp/client/index.ts";
import type { ToolCall } from "./stream.ts";

/** The Messages API's limit on tool names. */
export const MAX_TOOL_NAME_LENGTH = 128;

export function mcpTools(toolbox: McpToolbox | undefined): Tool[] {
  return (toolbox?.tools ?? []).map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Tool.InputSchema,
  }));
}

export async function* runMcpToolCall(call: ToolCall, toolbox: McpToolbox, signal: AbortSignal): AsyncGenerator<AgentEvent, ToolResultBlockParam> {
  yield { type: "tool.start", id: call.id, name: call.name, input: call.input ?? call.json };
  const outcome = call.input === undefined ? { text: `error: the input of ${call.name} is not valid JSON`, isError: true } : await toolbox.call(call.name, call.input, signal);
  yield { type: "tool.end", id: call.id, name: call.name, output: outcome.text, isError: outcome.isError };
  return { type: "tool_result", tool_use_id: call.id, content: outcome.text, ...(outcome.isError ? { is_error: true } : {}) };
}
