/**
 * Under the `collect` and `interrupt` busy policies one turn can cover several mentions, and
 * answers only the last; a turn can also end without anything to say. Every other mention's
 * "Processing…" comment must not stay that way forever: it gets a short note instead.
 */
import type { GatewayEvent } from "../../core/events.ts";

type TurnCompleted = Extract<GatewayEvent, { type: "turn.completed" }>;

/** This channel's mentions in a completed turn whose placeholder the answer will not replace. */
export function unansweredMentions(channelId: string, event: TurnCompleted): Array<{ eventId: string; answeredElsewhere: boolean }> {
  const prefix = `${channelId}:`;
  const delivered = event.reply.trim() !== "" && event.status !== "interrupted";
  const last = event.messageKeys.at(-1);
  return event.messageKeys
    .filter((key) => key.startsWith(prefix) && !(delivered && key === last))
    .map((key) => ({ eventId: key.slice(prefix.length), answeredElsewhere: delivered || event.status === "interrupted" }));
}

export function settleNote(answeredElsewhere: boolean, status: TurnCompleted["status"]): string {
  if (status === "interrupted") return "Interrupted by a newer mention: see the answer to that one.";
  if (answeredElsewhere) return "Answered together with a later mention: see the reply to that one.";
  return "Done: the agent had nothing to post.";
}
