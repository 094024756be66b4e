/**
 * Reads one streamed Chat Completion: forwards content deltas as `text.delta` events as they
 * arrive, and assembles tool calls from their index-keyed fragments (the first fragment of a
 * call carries its id and name, the later ones pieces of its JSON arguments).
 */
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { AgentEvent } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";
import type { ToolCall } from "./tools.ts";

export interface CompletionRound {
  text: string;
  toolCalls: ToolCall[];
  /** null when the stream stopped early because the turn was aborted. */
  finishReason: string | null;
}

export async function* readCompletion(chunks: AsyncIterable<ChatCompletionChunk>, signal: AbortSignal): AsyncGenerator<AgentEvent, CompletionRound> {
  let text = "";
  let finishReason: string | null = null;
  const calls = new Map<number, ToolCall>();
  for await (const chunk of chunks) {
    // The SDK hands over whatever JSON arrived; a chunk without choices is not a completion chunk.
    if (typeof chunk !== "object" || chunk === null || !Array.isArray(chunk.choices)) {
      throw new AgentError("malformed stream from the OpenAI-compatible endpoint: a chunk has no choices");
    }
    const choice = chunk.choices[0]; // usage-only chunks have none
    if (!choice) continue;
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content !== "") {
      text += delta.content;
      yield { type: "text.delta", text: delta.content };
    }
    (delta.tool_calls ?? []).forEach((fragment, position) => {
      const index = typeof fragment.index === "number" ? fragment.index : position;
      let call = calls.get(index);
      if (!call) {
        call = { id: "", name: "", arguments: "" };
        calls.set(index, call);
      }
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name = fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
    });
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (finishReason === null && !signal.aborted) {
    throw new AgentError("malformed stream from the OpenAI-compatible endpoint: it ended before a finish_reason");
  }
  const toolCalls = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
  return { text, toolCalls, finishReason };
}
