/**
 * Turns a session's transcript and the new prompt into the Messages API's `messages`: trimmed
 * to the context budget, strictly alternating user/assistant, starting with a user message.
 */
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import type { TranscriptEntry } from "../../core/agent.ts";
import { estimateTokens, fitTranscript } from "../../core/context-budget.ts";

export interface PromptParts {
  transcript: readonly TranscriptEntry[];
  text: string;
  system: string | undefined;
  /** Tokens of history, system prompt and new message together. */
  budget: number;
}

export function buildMessages({ transcript, text, system, budget }: PromptParts): MessageParam[] {
  const reserved = estimateTokens(text) + (system ? estimateTokens(system) : 0);
  const history = fitTranscript(transcript, budget, reserved);
  const turns: Array<{ role: "user" | "assistant"; text: string }> = [];
  // The API rejects empty text blocks and needs alternation; a failed turn leaves a user entry
  // with no answer, so consecutive entries of one role are joined.
  for (const entry of [...history, { role: "user" as const, text }]) {
    if (!entry.text) continue;
    const last = turns.at(-1);
    if (last?.role === entry.role) last.text += `\n\n${entry.text}`;
    else turns.push({ role: entry.role, text: entry.text });
  }
  while (turns[0]?.role === "assistant") turns.shift();
  return turns.map((t) => ({ role: t.role, content: t.text }));
}
