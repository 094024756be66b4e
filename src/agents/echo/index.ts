/**
 * The `echo` agent: answers with the message it got, streamed word by word. It is the embedded
 * default and the agent of most tests; `delayMs` makes the streaming visible.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Agent, AgentEvent, TurnInput } from "../../core/agent.ts";

export interface EchoAgentOptions {
  delayMs?: number;
  prefix?: string;
}

export function createEchoAgent(id: string, options: EchoAgentOptions = {}): Agent {
  return {
    id,
    kind: "echo",
    stateless: true,
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      const text = `${options.prefix ?? ""}${input.text}`;
      const words = text.split(/(?<=\s)/);
      for (const word of words) {
        if (input.signal.aborted) return;
        if (options.delayMs) await sleep(options.delayMs, undefined, { signal: input.signal }).catch(() => undefined);
        yield { type: "text.delta", text: word };
      }
      yield { type: "message", text };
    },
  };
}
