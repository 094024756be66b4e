/**
 * Fits a session's transcript into a model's context budget by dropping the oldest exchanges.
 * Tokens are estimated at four characters each, a deliberately cautious rule that needs no
 * tokenizer; the newest messages are always kept, and a user message is never kept without the
 * turn it started.
 */
import type { TranscriptEntry } from "./agent.ts";

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4; // a few tokens of per-message overhead
}

/**
 * The longest suffix of `history` that, together with `reserved` tokens (system prompt, the new
 * message), fits `budget`. It never starts on an assistant entry.
 */
export function fitTranscript(history: readonly TranscriptEntry[], budget: number, reserved = 0): TranscriptEntry[] {
  let used = reserved;
  let start = history.length;
  for (let i = history.length - 1; i >= 0; i--) {
    used += estimateTokens(history[i]!.text);
    if (used > budget) break;
    start = i;
  }
  while (start < history.length && history[start]!.role === "assistant") start++;
  return history.slice(start);
}
