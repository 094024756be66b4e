/**
 * Thread strategies: how an envelope maps to a session. Every key except `singleton` and
 * `existing` includes the channel and the agent, so two users (or two agents) never share a
 * session unless a rule says so.
 */
import type { Envelope } from "./envelope.ts";
import type { ThreadStrategy } from "./router.ts";
import type { ThreadKey } from "../store/store.ts";

export type SessionTarget = { threadKey: ThreadKey } | { existingId: string };

/** The strategy when neither a rule nor the channel names one: per user in DMs, per thread elsewhere. */
export function defaultStrategy(env: Envelope): ThreadStrategy {
  return env.conversation.kind === "dm" ? "per_user" : "per_session";
}

export function sessionTarget(env: Envelope, agent: string, strategy: ThreadStrategy, threadId?: string): SessionTarget {
  const scoped = (...parts: string[]): SessionTarget => ({ threadKey: { channel: env.channel, key: joinKey(...parts, agent) } });
  switch (strategy) {
    case "new":
      return scoped("new", env.eventId);
    case "per_user":
      return scoped("user", env.sender.id);
    case "per_channel":
      return scoped("room", env.conversation.id);
    case "per_session":
      return scoped("thread", env.conversation.id, env.thread ?? "");
    case "singleton":
      return { threadKey: { channel: "*", key: joinKey("singleton", agent) } };
    case "existing":
      if (!threadId) throw new Error("the existing thread strategy needs a threadId");
      return { existingId: threadId };
  }
}

/** Platform ids may contain any character: escape the separator so two keys never collide. */
function joinKey(...parts: string[]): string {
  return parts.map((part) => part.replaceAll("%", "%25").replaceAll("|", "%7C")).join("|");
}
