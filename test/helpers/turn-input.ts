/**
 * Hand-built turn inputs for running an agent directly, without a gateway, and a collector for
 * the events it yields.
 */
import type { AgentEvent, DelegateRequest, DelegateResult, TurnInput } from "../../src/core/agent.ts";

export interface TestTurnInput extends TurnInput {
  /** What the agent passed to `setState`, last call wins. */
  readonly saved: { state: Record<string, unknown> | undefined };
  /** Every `delegate` call the agent made. */
  readonly delegations: DelegateRequest[];
}

export interface TurnInputOptions extends Partial<Omit<TurnInput, "delegate" | "setState">> {
  /** Answers delegations; without it, a delegation fails with status "failed". */
  delegate?: (request: DelegateRequest) => DelegateResult | Promise<DelegateResult>;
}

export function turnInput(text: string, options: TurnInputOptions = {}): TestTurnInput {
  const saved: { state: Record<string, unknown> | undefined } = { state: undefined };
  const delegations: DelegateRequest[] = [];
  const { delegate, ...rest } = options;
  return {
    sessionId: "session-1",
    agentId: "agent-under-test",
    turnId: "turn-1",
    messages: [{ id: "message-1", text, sender: { id: "tester" }, channel: "test", attachments: [] }],
    text,
    transcript: [],
    signal: new AbortController().signal,
    user: { id: "tester" },
    channel: "test",
    settings: {},
    state: undefined,
    ...rest,
    saved,
    delegations,
    setState(state) {
      saved.state = state;
    },
    async delegate(request) {
      delegations.push(request);
      if (delegate) return delegate(request);
      return { status: "failed", reply: "no delegate in this test", sessionId: "" };
    },
  };
}

/** Run the agent to the end and return everything it yielded. */
export async function collectEvents(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
