/**
 * What the person who mentioned the agent sees before the answer: a 👀 reaction and a
 * "Processing…" comment, posted only after the mention was durably accepted, and later edited
 * into the answer (egress.ts). Its progress is kept in the channel's durable state, one record
 * per mention, so a restart neither posts a second placeholder nor a placeholder after the answer:
 *
 *   pending   the placeholder may have been posted, but its id was not recorded (search for it)
 *   posted    the placeholder exists (id); the answer will replace it
 *   answered  the answer went out; nothing more to post
 *
 * The 👀 goes on every accepted mention, even one answered before its placeholder could be
 * posted (a fast agent in a busy poll): it says "seen", whatever came of it.
 */
import type { Logger } from "../../core/log.ts";
import type { GitHubApi, ReplyRef } from "./api.ts";
import { commentKey } from "./comment.ts";
import type { KeyedLock } from "./keyed-lock.ts";
import { processingMarker, withMarker } from "./markers.ts";
import { RateLimitedError } from "./rate-guard.ts";

export interface FeedbackRecord {
  step?: "pending" | "posted" | "answered";
  /** The placeholder comment, once known. */
  id?: number;
  /** The 👀 is on the mention. */
  reacted?: boolean;
}

export interface FeedbackState {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface FeedbackDeps {
  api: GitHubApi;
  state: FeedbackState;
  lock: KeyedLock;
  log: Logger;
  /** The bot's login, to find its own placeholder after a crash. */
  self: () => string;
  text: string;
  sleep: (ms: number) => Promise<void>;
}

const maxAttempts = 5;

export class Feedback {
  private readonly deps: FeedbackDeps;

  constructor(deps: FeedbackDeps) {
    this.deps = deps;
  }

  /**
   * React and post the placeholder for an accepted mention, unless that was done already or the
   * answer is already out. `answered()` tells whether the turn has completed (for a mention read
   * again after a restart). Failures are logged: the answer then arrives as a new comment.
   */
  async acknowledge(ref: ReplyRef, answered: () => Promise<boolean>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.lock.run(lockKey(ref), () => this.acknowledgeOnce(ref, answered));
        return;
      } catch (error) {
        const wait = error instanceof RateLimitedError ? error.retryAfterMs : undefined;
        if (wait === undefined || attempt >= maxAttempts) {
          this.deps.log.warn("could not post the Processing comment; the answer will be a new comment", { repo: ref.repo, number: ref.number, error });
          return;
        }
        await this.deps.sleep(wait);
      }
    }
  }

  /** Runs under the mention's lock. */
  private async acknowledgeOnce(ref: ReplyRef, answered: () => Promise<boolean>): Promise<void> {
    const record = (await this.read(ref)) ?? {};
    if (!record.reacted) {
      await this.deps.api.react(ref, "eyes").catch((error: unknown) => {
        if (error instanceof RateLimitedError) throw error;
        this.deps.log.warn("could not add the 👀 reaction", { repo: ref.repo, number: ref.number, error });
      });
      await this.update(ref, { reacted: true });
    }
    if (record.step === "posted" || record.step === "answered") return;
    if (await answered()) {
      await this.update(ref, { step: "answered" });
      return;
    }
    if (record.step === "pending") {
      const id = await this.deps.api.find(ref, this.deps.self(), processingMarker(lockKey(ref)));
      if (id !== undefined) {
        await this.update(ref, { step: "posted", id });
        return;
      }
    }
    await this.update(ref, { step: "pending" });
    const id = await this.deps.api.post(ref, withMarker(this.deps.text, processingMarker(lockKey(ref))));
    await this.update(ref, { step: "posted", id });
  }

  /** The record of a mention; call under its lock. */
  async read(ref: ReplyRef): Promise<FeedbackRecord | undefined> {
    const value = await this.deps.state.get(stateKey(ref));
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as FeedbackRecord;
    } catch {
      return undefined;
    }
  }

  /** Changes some fields of a mention's record; call under its lock. */
  async update(ref: ReplyRef, change: FeedbackRecord): Promise<void> {
    const record = (await this.read(ref)) ?? {};
    await this.deps.state.set(stateKey(ref), JSON.stringify({ ...record, ...change }));
  }
}

/** One lock and one record per mention. */
export function lockKey(ref: ReplyRef): string {
  return commentKey({ kind: ref.kind, id: ref.commentId });
}

function stateKey(ref: ReplyRef): string {
  return `feedback:${lockKey(ref)}`;
}
