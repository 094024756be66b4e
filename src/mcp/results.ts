/**
 * Tool results as MCP carries them. A success is JSON twice: `structuredContent` for programs and
 * the same JSON as text for models. A failure is an `isError` result (the model reads it and can
 * correct itself), never a protocol error: a SwitchboardError's message is meant for the caller
 * and goes through; anything else is our bug, logged here and told to no one.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { SwitchboardError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";

export function success(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
}

export function failure(message: string): CallToolResult {
  return { content: [{ type: "text", text: `error: ${message}` }], isError: true };
}

/** Run a tool's work; whatever it throws becomes a tool error result. */
export async function guarded(tool: string, log: Logger | undefined, work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SwitchboardError) return failure(error.message);
    log?.error("MCP tool failed", { tool, error });
    return failure(`${tool} failed inside the gateway; try again later`);
  }
}
