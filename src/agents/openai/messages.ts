/**
 * Turns a turn's input into Chat Completions messages: the system prompt, as much of the
 * session's history as fits the context budget (oldest turns dropped first), then the new
 * message.
 */
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { TurnInput } from "../../core/agent.ts";
import { estimateTokens, fitTranscript } from "../../core/context-budget.ts";

export function buildMessages(input: Pick<TurnInput, "text" | "transcript">, options: { system?: string; contextBudget: number }): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  let reserved = estimateTokens(input.text);
  if (options.system) {
    messages.push({ role: "system", content: options.system });
    reserved += estimateTokens(options.system);
  }
  for (const entry of fitTranscript(input.transcript, options.contextBudget, reserved)) {
    messages.push({ role: entry.role, content: entry.text });
  }
  messages.push({ role: "user", content: input.text });
  return messages;
}
