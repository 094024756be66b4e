/**
 * Delegation: an agent hands a task to another configured agent, which runs it in a sub-session
 * of its own (keyed by parent session, agent and label, so repeated delegations continue it).
 * The sub-turn goes through the store and a lane like any message, so it is durable and never
 * runs beside another turn of its sub-session. With `expose`, the user may then talk to the
 * sub-agent directly: an exposure record is stored and the parent's stream gets `subagent.exposed`.
 */
import { randomUUID } from "node:crypto";
import type { AgentEvent, DelegateRequest, DelegateResult } from "./agent.ts";
import { messageKey } from "./envelope.ts";
import type { GatewayEvent, GatewayEvents } from "./events.ts";
import { SUBAGENT_CHANNEL } from "./internal-channel.ts";
import type { Store } from "../store/store.ts";

export interface DelegationDeps {
  store: Store;
  events: GatewayEvents;
  knownAgents: () => ReadonlySet<string>;
  /** Start the sub-session's turn now, past the concurrency cap (the parent holds a slot). */
  wakeNested: (sessionId: string) => void;
  sessionTtlMs: number;
  dedupeTtlMs: number;
}

export interface DelegationParent {
  sessionId: string;
  turnId: string;
  userId: string;
  signal: AbortSignal;
  /** Publish an event into the parent turn's stream. */
  emit: (event: AgentEvent) => void;
}

export function createDelegate(deps: DelegationDeps, parent: DelegationParent): (request: DelegateRequest) => Promise<DelegateResult> {
  let count = 0;
  return async (request) => {
    if (!deps.knownAgents().has(request.agent)) {
      return { status: "failed", reply: `there is no agent "${request.agent}"`, sessionId: "" };
    }
    const eventId = `${parent.turnId}:${++count}`;
    const key = messageKey(SUBAGENT_CHANNEL, eventId);
    const done = waitForCompletion(deps.events, key, parent.signal);
    const outcome = await deps.store.accept({
      channel: SUBAGENT_CHANNEL,
      eventId,
      now: Date.now(),
      dedupeTtlMs: deps.dedupeTtlMs,
      session: {
        agent: request.agent,
        ttlMs: deps.sessionTtlMs,
        threadKey: { channel: SUBAGENT_CHANNEL, key: [parent.sessionId, request.agent, request.label ?? ""].map(encodeURIComponent).join("|") },
      },
      item: { kind: "message", text: request.text, sender: { id: parent.userId }, replyTo: { conversation: parent.sessionId, user: parent.userId } },
      maxPendingPerSession: 100,
    });
    if (outcome.status === "rejected") {
      done.cancel();
      return { status: "failed", reply: "the sub-agent has too many queued tasks", sessionId: outcome.sessionId };
    }

    let subagentId: string | undefined;
    if (request.expose) subagentId = await expose(deps, parent, request, outcome.sessionId);

    if (outcome.status === "duplicate") {
      const stored = await deps.store.getMessage(SUBAGENT_CHANNEL, eventId);
      if (stored && stored.status !== "pending") {
        done.cancel();
        return { status: stored.status, reply: stored.reply ?? "", sessionId: outcome.sessionId, subagentId };
      }
    }
    deps.wakeNested(outcome.sessionId);
    const completed = await done.promise;
    if (!completed) return { status: "interrupted", reply: "", sessionId: outcome.sessionId, subagentId };
    return { status: completed.status, reply: completed.reply, sessionId: outcome.sessionId, subagentId };
  };
}

async function expose(deps: DelegationDeps, parent: DelegationParent, request: DelegateRequest, sessionId: string): Promise<string> {
  // Exposing the same sub-session again reuses its handle.
  const existing = (await deps.store.listExposures(parent.sessionId)).find((e) => e.sessionId === sessionId);
  const record = existing ?? {
    id: randomUUID(),
    parentSessionId: parent.sessionId,
    sessionId,
    agentId: request.agent,
    label: request.label,
    userId: parent.userId,
    createdAt: Date.now(),
  };
  if (!existing) await deps.store.saveExposure(record);
  parent.emit({ type: "subagent.exposed", subagentId: record.id, agentId: record.agentId, sessionId, label: record.label });
  return record.id;
}

type Completion = Extract<GatewayEvent, { type: "turn.completed" }>;

function waitForCompletion(events: GatewayEvents, key: string, signal: AbortSignal): { promise: Promise<Completion | undefined>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<Completion | undefined>((resolve) => {
    const unsubscribe = events.subscribeMessage(key, (event) => {
      if (event.type === "turn.completed") finish(event);
    });
    const onAbort = () => finish(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    function finish(value: Completion | undefined) {
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
      resolve(value);
    }
    cancel = () => finish(undefined);
  });
  return { promise, cancel };
}
