/**
 * The request of one turn: the JSON body the service gets and the headers it is sent with.
 * The turn id doubles as the Idempotency-Key, so a service can recognise a turn rerun after a crash.
 */
import type { TurnInput } from "../../core/agent.ts";
import { estimateTokens, fitTranscript } from "../../core/context-budget.ts";

export interface HttpTurnRequest {
  session: string;
  turn: string;
  user: { id: string };
  channel: string;
  agent: string;
  text: string;
  messages: Array<{ id: string; text: string; sender: TurnInput["messages"][number]["sender"] }>;
  transcript: Array<{ role: "user" | "assistant"; text: string; at: number }>;
  state: Record<string, unknown> | null;
}

export function buildRequestBody(input: TurnInput, options: { transcript: boolean; contextBudget: number }): HttpTurnRequest {
  const history = options.transcript ? fitTranscript(input.transcript, options.contextBudget, estimateTokens(input.text)) : [];
  return {
    session: input.sessionId,
    turn: input.turnId,
    user: { id: input.user.id },
    channel: input.channel,
    agent: input.agentId,
    text: input.text,
    messages: input.messages.map((m) => ({ id: m.id, text: m.text, sender: m.sender })),
    transcript: history.map((e) => ({ role: e.role, text: e.text, at: e.at })),
    state: input.state ?? null,
  };
}

/** The user's headers, then the protocol's own, which a user header cannot override. */
export function buildHeaders(userHeaders: Record<string, string> | undefined, turnId: string, stream: boolean): Headers {
  const headers = new Headers(userHeaders);
  headers.set("content-type", "application/json");
  headers.set("accept", stream ? "text/event-stream, application/json" : "application/json");
  headers.set("idempotency-key", turnId);
  return headers;
}
