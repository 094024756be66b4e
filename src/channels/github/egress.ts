/**
 * The answer: the first part replaces the mention's "Processing…" comment, further parts (an
 * answer over GitHub's size limit) follow as new comments. Each posted comment carries its outbox
 * key in a hidden marker, and a post is recorded as "pending" before it is made, so a delivery
 * retried after a crash looks for the comment it may already have posted instead of posting it
 * twice. Every GitHub failure becomes a DeliveryError that says whether a retry can help.
 */
import type { OutboundMessage, SentMessage } from "../../core/channel.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { GitHubApi, ReplyRef } from "./api.ts";
import { statusOf } from "./client.ts";
import type { Feedback, FeedbackState } from "./feedback.ts";
import { lockKey } from "./feedback.ts";
import type { KeyedLock } from "./keyed-lock.ts";
import { processingMarker, replyMarker, withMarker } from "./markers.ts";
import { RateLimitedError } from "./rate-guard.ts";

export interface EgressDeps {
  api: GitHubApi;
  feedback: Feedback;
  state: FeedbackState;
  lock: KeyedLock;
  self: () => string;
  channelId: string;
}

export class GitHubReplies {
  private readonly deps: EgressDeps;

  constructor(deps: EgressDeps) {
    this.deps = deps;
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    const ref = parseRef(message.to.ref);
    const body = withMarker(message.text, replyMarker(message.idempotencyKey));
    try {
      const id = await this.deps.lock.run(lockKey(ref), async () => {
        // A message the gateway sends first answers no mention, so it has no placeholder to replace.
        if (isFirstPart(message.idempotencyKey) && ref.commentId !== NO_MENTION) {
          const replaced = await this.replacePlaceholder(ref, body);
          if (replaced !== undefined) return replaced;
        }
        return this.postOnce(ref, message.idempotencyKey, body);
      });
      return { platformId: String(id) };
    } catch (error) {
      throw deliveryError(error, this.deps.channelId);
    }
  }

  /** Replace a mention's placeholder with a note (its question was answered elsewhere, or not at all). */
  async settle(ref: ReplyRef, text: string): Promise<void> {
    await this.deps.lock.run(lockKey(ref), async () => {
      const record = await this.deps.feedback.read(ref);
      if (record?.step !== "posted" || record.id === undefined) return;
      await this.deps.api.edit(ref, record.id, text);
      await this.deps.feedback.update(ref, { step: "answered", id: record.id });
    });
  }

  /** Edits the placeholder into the answer; undefined if there is none to edit. */
  private async replacePlaceholder(ref: ReplyRef, body: string): Promise<number | undefined> {
    const record = await this.deps.feedback.read(ref);
    if (record?.step === "pending" && record.id === undefined) {
      // A crash came between posting the placeholder and recording it: find it by its marker.
      const found = await this.deps.api.find(ref, this.deps.self(), processingMarker(lockKey(ref)));
      if (found !== undefined) record.id = found;
    }
    if (record?.id !== undefined) {
      try {
        await this.deps.api.edit(ref, record.id, body);
        await this.deps.feedback.update(ref, { step: "answered", id: record.id });
        return record.id;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        // Someone deleted the placeholder: the answer becomes a new comment.
      }
    }
    // From now on a late acknowledgement must not post a placeholder under the answer.
    await this.deps.feedback.update(ref, { step: "answered" });
    return undefined;
  }

  private async postOnce(ref: ReplyRef, key: string, body: string): Promise<number> {
    const stateKey = `sent:${key}`;
    const recorded = await this.deps.state.get(stateKey);
    if (recorded !== undefined && recorded !== "pending") return Number(recorded);
    if (recorded === "pending") {
      const found = await this.deps.api.find(ref, this.deps.self(), replyMarker(key));
      if (found !== undefined) {
        await this.deps.state.set(stateKey, String(found));
        return found;
      }
    }
    await this.deps.state.set(stateKey, "pending");
    const id = await this.deps.api.post(ref, body);
    await this.deps.state.set(stateKey, String(id));
    return id;
  }
}

/**
 * The comment id in the ref of a message the gateway sends first (github/target.ts): it answers no
 * mention, and GitHub never gives a comment id 0.
 */
export const NO_MENTION = 0;

export function parseRef(value: string | undefined): ReplyRef {
  try {
    const ref = JSON.parse(value ?? "") as Partial<ReplyRef>;
    if ((ref.kind === "issue" || ref.kind === "review") && typeof ref.repo === "string" && typeof ref.number === "number" && typeof ref.commentId === "number") {
      return { kind: ref.kind, repo: ref.repo, number: ref.number, commentId: ref.commentId, createdAt: ref.createdAt ?? "1970-01-01T00:00:00Z" };
    }
  } catch {
    // fall through
  }
  throw new DeliveryError("this reply has no GitHub comment to answer (a message sent to a GitHub channel from elsewhere?)", { retryable: false, status: 400 });
}

/** Outbox keys are `turnId:seq`; seq 0 is the part that replaces the placeholder. */
function isFirstPart(idempotencyKey: string): boolean {
  return idempotencyKey.endsWith(":0");
}

/** Failures a person must fix; a refused credential (401) is retried, since it can be a token mid-rotation. */
const hints: Record<number, string> = {
  403: "the App or token lacks a permission (Issues and Pull requests: read & write)",
  404: "the issue, pull request or comment is gone, or the App is not installed on the repository",
  410: "the issue or pull request is gone",
  422: "GitHub refused the comment",
};

export function deliveryError(error: unknown, channelId: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof RateLimitedError) return new DeliveryError(error.message, { retryable: true, retryAfterMs: error.retryAfterMs, cause: error, status: 429 });
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401) return new DeliveryError(`GitHub channel "${channelId}": the credentials were refused (check the app id, private key and installation id, or the token): ${message}`, { retryable: true, cause: error, status });
  if (status !== undefined && hints[status]) {
    return new DeliveryError(`GitHub channel "${channelId}": ${hints[status]}: ${message}`, { retryable: false, cause: error, status });
  }
  return new DeliveryError(`GitHub channel "${channelId}": ${message}`, { retryable: true, cause: error });
}
