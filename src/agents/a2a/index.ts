/**
 * The `a2a` agent: a remote agent spoken to over the Agent2Agent protocol with the official
 * `@a2a-js/sdk` client. The agent card is discovered on the first turn. A session is one A2A
 * context: the contextId the remote agent returns is kept in the session's state and sent with
 * every later message, so the remote agent keeps the conversation, across gateway restarts too.
 */
import { randomUUID } from "node:crypto";
import type { SendMessageRequest } from "@a2a-js/sdk";
import type { Client } from "@a2a-js/sdk/client";
import type { Agent, AgentEvent, TurnInput } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";
import { A2aConnector, describeError, redactUrl, type A2aSdk } from "./client.ts";
import type { A2aAgentConfig } from "./config.ts";
import { A2aReply } from "./stream.ts";

export { a2aAgentSchema, type A2aAgentConfig } from "./config.ts";

/** What a session keeps between turns. `taskId` is set while the remote task waits for the user. */
interface A2aSessionState {
  contextId?: string;
  taskId?: string;
}

export function createA2aAgent(id: string, config: A2aAgentConfig, _context?: { baseDir: string; agents: () => string[] }): Agent {
  const connector = new A2aConnector(config);
  const where = redactUrl(config.url);
  return {
    id,
    kind: "a2a",
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      const { client, card, sdk } = await connector.connect(input.signal);
      const stored = readState(input.state);
      // A question the remote task asked is answered by this message only; if the turn fails, start afresh.
      if (stored.taskId) input.setState(stored.contextId ? { contextId: stored.contextId } : {});

      const enums = { TaskState: sdk.core.TaskState, agentRole: sdk.core.Role.ROLE_AGENT };
      const reply = new A2aReply(enums, stored.taskId ? { answering: stored.taskId } : {});
      const request = buildRequest(sdk, input.text, stored);
      // Our own controller as well as the turn's, to close the SSE response once the reply is done.
      const finished = new AbortController();
      const signal = AbortSignal.any([input.signal, finished.signal]);
      let savedContext = stored.contextId;
      const saveContext = () => {
        if (reply.contextId && reply.contextId !== savedContext) {
          savedContext = reply.contextId;
          input.setState({ contextId: reply.contextId });
        }
      };

      try {
        // Streaming needs both: the card to offer it and the config not to turn it off.
        if (config.streaming !== false && card.capabilities?.streaming === true) {
          for await (const event of client.sendMessageStream(request, { signal })) {
            const deltas = reply.apply(event);
            saveContext();
            for (const text of deltas) yield { type: "text.delta", text };
            if (reply.done) break;
          }
        } else {
          const deltas = reply.applyResult(await client.sendMessage(request, { signal }));
          saveContext();
          for (const text of deltas) yield { type: "text.delta", text };
        }
      } catch (error) {
        saveContext();
        if (input.signal.aborted) {
          if (reply.taskId && !reply.done) cancelRemoteTask(client, reply.taskId);
          return;
        }
        if (error instanceof AgentError) throw error;
        // The remote side may have moved (a new deployment, another port): discover it again next turn.
        connector.forget();
        const status = connector.httpStatus(signal);
        throw new AgentError(`the A2A agent at ${where} failed: ${status ? `HTTP ${status}: ` : ""}${describeError(error)}`, { cause: error });
      } finally {
        finished.abort();
      }

      if (input.signal.aborted) {
        if (reply.taskId && !reply.done) cancelRemoteTask(client, reply.taskId);
        return;
      }
      if (!reply.done) throw new AgentError(`the A2A agent at ${where} stopped answering before the task finished`);
      if (reply.waitingForUser && reply.taskId) {
        input.setState({ ...(reply.contextId ? { contextId: reply.contextId } : {}), taskId: reply.taskId });
      }
      yield { type: "message", text: reply.text };
    },
  };
}

function buildRequest({ core }: A2aSdk, text: string, state: A2aSessionState): SendMessageRequest {
  return {
    tenant: "",
    message: {
      messageId: randomUUID(),
      contextId: state.contextId ?? "",
      taskId: state.taskId ?? "",
      role: core.Role.ROLE_USER,
      parts: [{ content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "text/plain" }],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata: undefined,
  };
}

function readState(state: Record<string, unknown> | undefined): A2aSessionState {
  const contextId = typeof state?.contextId === "string" && state.contextId ? state.contextId : undefined;
  const taskId = typeof state?.taskId === "string" && state.taskId ? state.taskId : undefined;
  return { ...(contextId ? { contextId } : {}), ...(taskId ? { taskId } : {}) };
}

/** Tell the remote agent to stop a task the turn no longer waits for; best effort, never awaited. */
function cancelRemoteTask(client: Client, taskId: string): void {
  client.cancelTask({ tenant: "", id: taskId, metadata: undefined }, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
}
