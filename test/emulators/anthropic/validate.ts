/**
 * The request checks the real Messages API makes before it answers, so a client that sends a
 * request the API would refuse gets the same 400 `invalid_request_error` here.
 */

/** The reason the API would reject this body, or undefined when it is acceptable. */
export function invalidRequest(body: unknown): string | undefined {
  if (!isObject(body)) return "body: Input should be an object";
  if (typeof body.model !== "string" || body.model === "") return "model: Field required";
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 0) return "max_tokens: Field required";
  if (body.stream !== undefined && typeof body.stream !== "boolean") return "stream: Input should be a valid boolean";
  if (body.system !== undefined && typeof body.system !== "string" && !Array.isArray(body.system)) return "system: Input should be a valid string or list";
  if (body.temperature !== undefined && (typeof body.temperature !== "number" || body.temperature < 0 || body.temperature > 1)) return "temperature: Input should be between 0 and 1";
  const tools = body.tools ?? [];
  if (!Array.isArray(tools)) return "tools: Input should be a valid list";
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.name !== "string" || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
    if (!isObject(tool.input_schema) || tool.input_schema.type !== "object") return `tools.${i}.input_schema: type must be "object"`;
  }
  return invalidMessages(body.messages);
}

function invalidMessages(messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return "messages: at least one message is required";
  let pendingToolUses: string[] = [];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message) || (message.role !== "user" && message.role !== "assistant")) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && message.role !== "user") return "messages: first message must use the \"user\" role";
    if (i > 0 && (messages[i - 1] as { role: string }).role === message.role) return "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"" + message.role + "\" roles in a row";
    const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    if (!Array.isArray(blocks) || blocks.length === 0) return `messages.${i}: all messages must have non-empty content`;
    const results: string[] = [];
    const uses: string[] = [];
    for (const [j, block] of blocks.entries()) {
      if (!isObject(block)) return `messages.${i}.content.${j}: Input should be an object`;
      if (block.type === "text" && (typeof block.text !== "string" || block.text === "")) return `messages.${i}.content.${j}.text: text content blocks must be non-empty`;
      if (block.type === "tool_use") {
        if (message.role !== "assistant") return `messages.${i}.content.${j}: tool_use blocks are only allowed in assistant messages`;
        if (typeof block.id !== "string" || typeof block.name !== "string" || !isObject(block.input)) return `messages.${i}.content.${j}: tool_use needs id, name and an object input`;
        uses.push(block.id);
      }
      if (block.type === "tool_result") {
        if (message.role !== "user") return `messages.${i}.content.${j}: tool_result blocks are only allowed in user messages`;
        if (typeof block.tool_use_id !== "string") return `messages.${i}.content.${j}.tool_use_id: Field required`;
        results.push(block.tool_use_id);
      }
    }
    if (message.role === "user") {
      const missing = pendingToolUses.filter((id) => !results.includes(id));
      if (missing.length > 0) return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}`;
      const unexpected = results.filter((id) => !pendingToolUses.includes(id));
      if (unexpected.length > 0) return `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(", ")}`;
    }
    pendingToolUses = uses;
  }
  if (pendingToolUses.length > 0) return "messages: the last assistant message has tool_use blocks without results";
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
