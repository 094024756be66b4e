/**
 * One path from a GitHub comment to the durable accept, shared by the poller and the webhook:
 * skip what must not be answered (bots, our own comments, comments without a real @mention),
 * add the issue's context, accept, and only then queue the 👀 reaction and the "Processing…"
 * comment. It throws when the accept fails, so the poller does not move past the comment and the
 * webhook answers 5xx.
 */
import type { ChannelContext } from "../../core/channel.ts";
import { makeEnvelope, type Sender } from "../../core/envelope.ts";
import type { Logger } from "../../core/log.ts";
import type { ReplyRef } from "./api.ts";
import { commentKey, conversationId, type GitHubComment } from "./comment.ts";
import type { IssueContexts } from "./context.ts";
import { promptText } from "./context.ts";
import type { BotIdentity } from "./identity.ts";
import { hasMarker } from "./markers.ts";
import { findMention } from "./mentions.ts";

export type InboundOutcome = { status: "accepted" | "duplicate" | "rejected" | "ignored"; reason?: string };

export interface InboundDeps {
  channelId: string;
  context: () => ChannelContext;
  identity: () => BotIdentity | undefined;
  mentionName: () => string;
  /** The email a login stands for (`userMap`, or the profile's public email), if any. */
  emailOf: (login: string) => Promise<string | undefined>;
  contexts: IssueContexts;
  /** Runs the reaction and placeholder in the background, after the accept. */
  acknowledge: (ref: ReplyRef, answered: () => Promise<boolean>) => void;
  log: () => Logger;
}

export async function ingestComment(deps: InboundDeps, comment: GitHubComment): Promise<InboundOutcome> {
  const skip = ignoreReason(comment, deps.identity());
  if (skip) return { status: "ignored", reason: skip };
  const mention = findMention(comment.body, deps.mentionName());
  if (!mention.mentioned) return { status: "ignored", reason: "no mention" };

  const ctx = deps.context();
  const issue = await deps.contexts.get(comment.repo, comment.number);
  const ref = replyRef(comment);
  const eventId = commentKey(comment);
  const result = await ctx.accept(
    makeEnvelope({
      channel: deps.channelId,
      source: "github",
      eventId,
      // One session per issue or PR: every mention on it continues the conversation.
      conversation: { id: conversationId(comment.repo, comment.number), kind: "group" },
      sender: senderOf(comment, await deps.emailOf(comment.user.login)),
      text: promptText(comment, mention.text, issue),
      mentions: [deps.mentionName()],
      replyRef: JSON.stringify(ref),
    }),
  );
  if (result.status === "rejected") {
    // No reaction and no placeholder: nothing will answer this mention.
    deps.log().warn("GitHub mention rejected", { eventId, repo: comment.repo, number: comment.number, reason: result.reason });
    return { status: "rejected", reason: result.reason };
  }
  // A mention read again (after a restart) may have been answered meanwhile: then no placeholder.
  // A new one always gets its placeholder; if the answer is quicker, it waits for it (the lock).
  deps.acknowledge(
    ref,
    result.status === "accepted"
      ? async () => false
      : async () => {
          const item = await ctx.lookup(deps.channelId, eventId);
          return item === undefined || item.status !== "pending";
        },
  );
  deps.log().debug("GitHub mention accepted", { eventId, repo: comment.repo, number: comment.number, status: result.status });
  return { status: result.status };
}

export function replyRef(comment: GitHubComment): ReplyRef {
  return { kind: comment.kind, repo: comment.repo, number: comment.number, commentId: comment.id, createdAt: comment.createdAt };
}

/** Why a comment is never answered, whatever it says. */
export function ignoreReason(comment: GitHubComment, self: BotIdentity | undefined): string | undefined {
  if (comment.user.type === "Bot" || comment.user.login.endsWith("[bot]")) return "a bot's comment";
  if (self && (comment.user.login === self.login || (self.appId !== undefined && comment.viaAppId === self.appId))) return "our own comment";
  // Our comments carry a marker: even before our identity is known, we never answer ourselves.
  if (hasMarker(comment.body)) return "our own comment";
  return undefined;
}

function senderOf(comment: GitHubComment, email: string | undefined): Sender {
  return { id: String(comment.user.id), name: comment.user.login, ...(email !== undefined ? { email } : {}) };
}
