/** MCP servers for the `openai` and `anthropic` agent kinds: connect, list tools, route calls. */
export { openMcpToolbox, withMcpToolbox, type McpTool, type McpToolbox, type McpToolOutcome, type ToolboxOptions } from "./toolbox.ts";
