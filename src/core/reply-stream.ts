/**
 * Accept a message and follow it to its reply: the bridge that request/response transports
 * (HTTP API, SSE, WebSocket, web chat, the programmatic `send`) use. It subscribes to the
 * message's events before accepting, so a fast turn is never missed, and a duplicate of a
 * completed message replays the stored reply instead of running a second turn.
 */
import type { AgentEvent } from "./agent.ts";
import type { ChannelContext } from "./channel.ts";
import type { Envelope } from "./envelope.ts";
import { messageKey } from "./envelope.ts";
import type { GatewayEvent } from "./events.ts";
import type { InboxStatus } from "../store/store.ts";
import { RequestError } from "./errors.ts";

export type ReplyStatus = Exclude<InboxStatus, "pending">;

/** While waiting for a reply with no event arriving, look at the store this often. */
const STORE_CHECK_MS = 1000;

export type ReplyEvent =
  | { type: "accepted"; id: string; messageId: string; session: string; agent: string; duplicate: boolean }
  | AgentEvent
  | { type: "done"; id: string; session: string; status: ReplyStatus; reply: string }
  | { type: "rejected"; id: string; reason: string; httpStatus: number; retryAfterMs?: number };

export interface Reply {
  id: string;
  messageId: string;
  session: string;
  agent: string;
  status: ReplyStatus;
  reply: string;
  duplicate: boolean;
}

/** Accept the envelope and yield its events up to `done` (or `rejected`). */
export async function* streamReply(ctx: ChannelContext, envelope: Envelope, signal?: AbortSignal): AsyncGenerator<ReplyEvent> {
  const key = messageKey(envelope.channel, envelope.eventId);
  const queue: GatewayEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = ctx.events.subscribeMessage(key, (event) => {
    queue.push(event);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    const result = await ctx.accept(envelope);
    if (result.status === "rejected") {
      yield { type: "rejected", id: envelope.eventId, reason: result.reason, httpStatus: result.httpStatus, ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}) };
      return;
    }
    const duplicate = result.status === "duplicate";
    const stored = duplicate ? await ctx.lookup(envelope.channel, envelope.eventId) : undefined;
    if (duplicate && !stored) {
      // Answered long ago, and its session has been evicted since: the reply is gone.
      yield { type: "rejected", id: envelope.eventId, reason: "this message was already handled and its session has expired", httpStatus: 409 };
      return;
    }
    yield { type: "accepted", id: envelope.eventId, messageId: result.messageId, session: result.sessionId, agent: result.agent, duplicate };
    if (stored) {
      if (stored.status !== "pending") {
        yield { type: "done", id: envelope.eventId, session: stored.sessionId, status: stored.status, reply: stored.reply ?? "" };
        return;
      }
    }
    // Events of an original still running are streamed from wherever it is now.
    for (;;) {
      while (queue.length > 0) {
        const event = queue.shift()!;
        if (event.type === "turn.event") yield event.event;
        if (event.type === "turn.completed") {
          yield { type: "done", id: envelope.eventId, session: event.sessionId, status: event.status, reply: event.reply };
          return;
        }
      }
      if (signal?.aborted) return;
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), STORE_CHECK_MS);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = undefined;
      if (woken) continue;
      // Another gateway on a shared store may run the turn, and its events may not reach us (the
      // broadcast is best effort): the stored reply is the truth.
      const current = await ctx.lookup(envelope.channel, envelope.eventId);
      if (current && current.status !== "pending" && queue.length === 0) {
        yield { type: "done", id: envelope.eventId, session: current.sessionId, status: current.status, reply: current.reply ?? "" };
        return;
      }
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Accept the envelope and wait for the final reply. */
export async function awaitReply(ctx: ChannelContext, envelope: Envelope, signal?: AbortSignal): Promise<Reply | Extract<ReplyEvent, { type: "rejected" }>> {
  let accepted: Extract<ReplyEvent, { type: "accepted" }> | undefined;
  for await (const event of streamReply(ctx, envelope, signal)) {
    if (event.type === "rejected") return event;
    if (event.type === "accepted") accepted = event;
    if (event.type === "done" && accepted) {
      return { id: event.id, messageId: accepted.messageId, session: event.session, agent: accepted.agent, status: event.status, reply: event.reply, duplicate: accepted.duplicate };
    }
  }
  // The caller hung up; the turn itself goes on and its reply stays in the session.
  if (signal?.aborted) throw new RequestError(499, "the client closed the request before the reply was ready");
  throw new Error("the reply stream ended before the turn completed");
}
