/**
 * The accept step: run the accept middleware, resolve the route and the session, and commit the
 * message to its session's inbox in one store transaction. A channel acknowledges its platform
 * only after this resolves; a duplicate resolves to the original message.
 */
import type { Envelope } from "./envelope.ts";
import { messageKey } from "./envelope.ts";
import type { Router, RouteDecision } from "./router.ts";
import { defaultStrategy, sessionTarget } from "./thread-key.ts";
import type { Store, AcceptInput } from "../store/store.ts";
import type { Middleware } from "./middleware.ts";
import { compose } from "./middleware.ts";
import { RequestError } from "./errors.ts";
import type { ThreadStrategy } from "./router.ts";
import { agentText } from "./abuse/agent-text.ts";

export interface AcceptedMessage {
  status: "accepted" | "duplicate";
  messageKey: string;
  messageId: string;
  sessionId: string;
  agent: string;
}

export type AcceptResult =
  | AcceptedMessage
  /** `retryAfterMs`: when a refusal is temporary (a rate limit), how long the caller should wait. */
  | { status: "rejected"; messageKey: string; reason: string; httpStatus: number; retryAfterMs?: number };

export interface AcceptContext {
  readonly envelope: Envelope;
  /** The routing decision; middleware may change it before the commit. */
  route: RouteDecision;
  /** Refuse the message: nothing is stored and the channel reports the reason. */
  reject(reason: string, httpStatus?: number, retryAfterMs?: number): void;
  /** Set once the store has answered, or a middleware refused the message. */
  result: AcceptResult | undefined;
}

export interface AcceptDeps {
  store: Store;
  router: Router;
  knownAgents: () => ReadonlySet<string>;
  channelStrategy: (channel: string) => ThreadStrategy | undefined;
  middleware: ReadonlyArray<Middleware<AcceptContext>>;
  sessionTtlMs: number;
  dedupeTtlMs: number;
  maxPendingPerSession: number;
  onAccepted: (result: AcceptedMessage, newSession: boolean) => void;
}

const resetCommands = new Set(["/new", "/reset"]);

export function createAccept(deps: AcceptDeps): (envelope: Envelope) => Promise<AcceptResult> {
  const run = compose(deps.middleware);

  return async (envelope) => {
    const key = messageKey(envelope.channel, envelope.eventId);
    let rejection: AcceptResult | undefined;
    const ctx: AcceptContext = {
      envelope,
      route: deps.router.route(envelope),
      result: undefined,
      reject(reason, httpStatus = 403, retryAfterMs) {
        rejection = { status: "rejected", messageKey: key, reason, httpStatus, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
        // Middleware further out (auditing) sees the refusal as the outcome.
        ctx.result = rejection;
      },
    };
    if (envelope.hints?.agent !== undefined) ctx.route = { ...ctx.route, agent: envelope.hints.agent };

    await run(ctx, async () => {
      if (rejection) return;
      ctx.result = await commit(deps, ctx, key);
    });
    return rejection ?? ctx.result ?? { status: "rejected", messageKey: key, reason: "rejected by middleware", httpStatus: 403 };
  };
}

async function commit(deps: AcceptDeps, ctx: AcceptContext, key: string): Promise<AcceptResult> {
  const { envelope, route } = ctx;
  if (!deps.knownAgents().has(route.agent)) throw new RequestError(400, `unknown agent "${route.agent}"`);

  const explicitSession = envelope.hints?.session;
  const strategy = explicitSession !== undefined ? "existing" : (route.threadStrategy ?? deps.channelStrategy(envelope.channel) ?? defaultStrategy(envelope));
  const target = sessionTarget(envelope, route.agent, strategy, explicitSession ?? route.threadId);
  if (explicitSession !== undefined) {
    // A caller may name a session, but only one of its own: two users never share a session by accident.
    const existing = await deps.store.getSession(explicitSession);
    if (existing && existing.userId !== envelope.sender.id) throw new RequestError(403, "that session belongs to another user");
  }

  const command = envelope.text.trim().toLowerCase();
  // A named session (`existing`) is not the conversation's to replace: there /new is just text.
  const isReset = resetCommands.has(command) && !("existingId" in target) && envelope.sender.origin === undefined;
  // Gateway text and the user's stay apart, and the user's cannot pose as either (abuse/agent-text.ts).
  // A proactive send is the operator's own words, delivered as they are.
  const text = envelope.sender.origin === "send" ? envelope.text : agentText(route.instruction, envelope.text);
  const input: AcceptInput = {
    channel: envelope.channel,
    eventId: envelope.eventId,
    now: Date.now(),
    dedupeTtlMs: deps.dedupeTtlMs,
    session: { agent: route.agent, ttlMs: deps.sessionTtlMs, ...target, fresh: isReset },
    item: {
      kind: isReset ? "reset" : "message",
      text: isReset ? command : text,
      sender: envelope.sender,
      replyTo: envelope.replyTo ?? {
        conversation: envelope.conversation.id,
        thread: envelope.thread,
        user: envelope.sender.id,
        ...(envelope.replyRef !== undefined ? { ref: envelope.replyRef } : {}),
      },
      ...(envelope.attachments.length > 0 ? { attachments: envelope.attachments } : {}),
    },
    maxPendingPerSession: deps.maxPendingPerSession,
  };
  const outcome = await deps.store.accept(input);
  // The session keeps the agent it was opened with, whatever this message's route says.
  const sessionAgent = async (id: string) => (await deps.store.getSession(id))?.agent ?? route.agent;
  switch (outcome.status) {
    case "rejected":
      return { status: "rejected", messageKey: key, reason: "this conversation has too many queued messages; try again later", httpStatus: 429 };
    case "duplicate": {
      const original = await deps.store.getMessage(envelope.channel, envelope.eventId);
      if (original && original.sender.id !== envelope.sender.id) {
        // Someone else's message id: never hand one user's reply (or session) to another.
        return { status: "rejected", messageKey: key, reason: "this message id was already used by another sender", httpStatus: 409 };
      }
      return { status: "duplicate", messageKey: key, messageId: outcome.messageId, sessionId: outcome.sessionId, agent: await sessionAgent(outcome.sessionId) };
    }
    case "accepted": {
      const agent = "existingId" in target ? await sessionAgent(outcome.sessionId) : route.agent;
      const result = { status: "accepted" as const, messageKey: key, messageId: outcome.messageId, sessionId: outcome.sessionId, agent };
      deps.onAccepted(result, outcome.newSession);
      return result;
    }
  }
}
