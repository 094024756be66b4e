/**
 * An MCP tool result as the text a model reads: text blocks as they are, embedded text resources
 * with their URI, other media named rather than inlined (a chat model cannot use base64 audio), and
 * `structuredContent` as JSON when the server sent no text. Long results are cut so one tool call
 * cannot flood the context.
 */

/** Longest tool result handed to the model, in characters. */
export const MAX_RESULT_CHARS = 20_000;

type Block = { type: string; [key: string]: unknown };

export function resultText(result: { content?: unknown; structuredContent?: unknown; toolResult?: unknown }): string {
  const blocks = Array.isArray(result.content) ? (result.content as Block[]) : [];
  const parts = blocks.map(blockText).filter((part) => part !== "");
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  if (parts.length === 0 && result.toolResult !== undefined) parts.push(JSON.stringify(result.toolResult)); // servers on the 2024 protocol
  return clip(parts.join("\n\n") || "(the tool returned nothing)");
}

function blockText(block: Block): string {
  switch (block.type) {
    case "text":
      return typeof block.text === "string" ? block.text : "";
    case "resource": {
      const resource = (block.resource ?? {}) as { uri?: unknown; text?: unknown; mimeType?: unknown };
      if (typeof resource.text === "string") return `[resource ${String(resource.uri ?? "")}]\n${resource.text}`;
      return `[binary resource ${String(resource.uri ?? "")}${typeof resource.mimeType === "string" ? `, ${resource.mimeType}` : ""}]`;
    }
    case "resource_link":
      return `[resource link ${String(block.uri ?? "")}${typeof block.name === "string" ? ` (${block.name})` : ""}]`;
    case "image":
    case "audio":
      return `[${block.type}${typeof block.mimeType === "string" ? `, ${block.mimeType}` : ""}: not shown]`;
    default:
      return `[${String(block.type)} content: not shown]`;
  }
}

function clip(text: string): string {
  return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}\n… (cut: the result was ${text.length} characters)` : text;
}
