/**
 * Polling: every interval, read the new issue/PR comments and review comments of each watched
 * repository (or of every repository the App is installed on), every page, oldest update first,
 * and hand each to `ingest`. Each repository keeps a durable checkpoint per comment list that
 * moves only past comments that were handled (a mention durably accepted, or a comment skipped),
 * so a crash or a failed accept means the comments are read again, never missed.
 *
 * GitHub's `since` filters on `updated_at`, with one-second precision, and a comment may become
 * visible in the list a moment after its timestamp. So each poll reads back an overlap window
 * before the checkpoint, and comments already handled in that window are recognised by id (and
 * the core dedupes the rest). A comment created before the window and only edited now (an old
 * comment changed to add a mention) is not an answerable new mention, and is skipped.
 */
import type { Octokit } from "@octokit/rest";
import type { Logger } from "../../core/log.ts";
import { split } from "./api.ts";
import { statusOf } from "./client.ts";
import { toComment, type CommentKind, type GitHubComment, type RawComment } from "./comment.ts";
import { RateLimitedError } from "./rate-guard.ts";
import type { RateGuard } from "./rate-guard.ts";

/** Where one comment list of one repository was read up to. */
export interface Cursor {
  /** Highest `updated_at` handled. */
  since: string;
  /** Where reading started for this repository: older comments are history, not questions. */
  floor: string;
  /** Comments handled inside the overlap window: id → the `updated_at` handled. */
  seen: Record<string, string>;
  /** The accepted mentions among them, looked at again on each read: see `recheck`. */
  mentions?: number[];
}

type RepoCheckpoint = Partial<Record<CommentKind, Cursor>>;

export interface PollerDeps {
  octokit: Octokit;
  guard: RateGuard;
  state: { get(key: string): Promise<string | undefined>; set(key: string, value: string): Promise<void> };
  log: () => Logger;
  /** Watched repositories; empty: every repository of the App installation. */
  repos: string[];
  intervalMs: number;
  overlapMs: number;
  /** Throws if the comment could not be accepted: the checkpoint then stays before it. True if accepted. */
  ingest: (comment: GitHubComment) => Promise<boolean>;
  /**
   * An accepted mention read again inside the overlap window. The channel makes sure its
   * reaction and placeholder exist: a crash right after the accept (and the checkpoint) must not
   * leave a mention without them. Costs no request when they do.
   */
  recheck: (comment: GitHubComment) => Promise<void>;
  /**
   * When the channel first ever started (durable): comments from before it are history, never
   * answered. A repository seen for the first time also gets no more than the last hour: one
   * added to the installation later does not have its old mentions answered, but a crash before
   * a repository's first checkpoint loses nothing.
   */
  watchingSince: number;
  /**
   * Only one gateway polls a channel: the one holding its poller lease (core/poller-lease.ts).
   * Asked before every repository, so one that lost the lease stops before reading further.
   */
  mayPoll?: () => boolean;
  /** Runs before each poll (the channel learns its identity there if GitHub was down at start). */
  ready?: () => Promise<void>;
}

/** How far back a repository seen for the first time is read (never before the channel first started). */
const newRepoLookbackMs = 3_600_000;

/** How often the installation's repository list is read again, to pick up newly added repositories. */
const repoListTtlMs = 10 * 60_000;

export class CommentPoller {
  private readonly deps: PollerDeps;
  private loop: Promise<void> | undefined;
  private running = false;
  private installationRepos: { names: string[]; until: number } | undefined;
  private holding = false;
  /** Resolves the current pause early (pollNow). */
  private wake: (() => void) | undefined;

  constructor(deps: PollerDeps) {
    this.deps = deps;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends after the comment in hand; the guard's signal (aborted by the channel) cuts waits short. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    this.holding = false;
  }

  /** Whether this gateway is the one polling (it holds the poller lease). */
  get polling(): boolean {
    return this.running && this.holding;
  }

  /** Start the next poll now instead of at the end of the interval. */
  pollNow(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let wait = this.deps.intervalMs;
      try {
        if (await this.holdLease()) {
          await this.pollAll();
          failures = 0;
        }
      } catch (error) {
        if (!this.running) break;
        if (error instanceof LeaseLost) {
          this.deps.log().warn("another gateway took over polling this channel; standing by");
        } else if (error instanceof RateLimitedError) {
          this.deps.log().warn("GitHub rate limit reached; polling resumes when it resets", { retryInMs: error.retryAfterMs });
          wait = Math.max(wait, error.retryAfterMs);
        } else {
          failures++;
          wait = Math.min(300_000, Math.max(wait, 1000 * 2 ** Math.min(failures, 8)));
          this.deps.log().warn("GitHub poll failed; retrying", { error, retryInMs: wait });
        }
      }
      await this.pause(wait);
    }
  }

  /** One pass over every watched repository. Rate limits end the pass; other failures skip one repository. */
  async pollAll(): Promise<void> {
    await this.deps.ready?.();
    for (const repo of await this.watched()) {
      if (!this.running) return;
      if (!(await this.holdLease())) throw new LeaseLost();
      for (const kind of ["issue", "review"] as const) {
        try {
          await this.pollList(repo, kind);
        } catch (error) {
          if (error instanceof RateLimitedError || !this.running) throw error;
          const status = statusOf(error);
          this.deps.log().warn(status === 404 ? "GitHub repository not found, or the App is not installed on it" : "could not poll a GitHub repository", { repo, kind, status, error });
          if (status !== 404 && status !== 403) throw error;
          break;
        }
      }
    }
  }

  private async watched(): Promise<string[]> {
    if (this.deps.repos.length > 0) return this.deps.repos;
    if (this.installationRepos && this.installationRepos.until > Date.now()) return this.installationRepos.names;
    const repos = await this.deps.octokit.paginate(this.deps.octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    const names = repos.map((repo) => repo.full_name);
    if (!this.installationRepos) this.deps.log().info("watching the GitHub App installation's repositories", { count: names.length });
    this.installationRepos = { names, until: Date.now() + repoListTtlMs };
    return names;
  }

  private async pollList(repo: string, kind: CommentKind): Promise<void> {
    // The repository's two lists are polled one after the other, so the other cursor cannot change meanwhile.
    const checkpoint = await this.readCheckpoint(repo);
    let cursor = checkpoint[kind];
    if (!cursor) {
      const start = isoSeconds(Math.max(this.deps.watchingSince, Date.now() - newRepoLookbackMs));
      cursor = { since: start, floor: start, seen: {} };
      await this.saveCheckpoint(repo, { ...checkpoint, [kind]: cursor });
    }
    const readFrom = isoSeconds(Date.parse(cursor.since) - this.deps.overlapMs);
    const [owner, name] = split(repo);
    const params = { owner, repo: name, since: readFrom, sort: "updated" as const, direction: "asc" as const, per_page: 100 };
    const { octokit } = this.deps;
    const pages = kind === "issue" ? octokit.paginate.iterator(octokit.rest.issues.listCommentsForRepo, params) : octokit.paginate.iterator(octokit.rest.pulls.listReviewCommentsForRepo, params);
    for await (const page of pages) {
      let moved = false;
      for (const raw of page.data as RawComment[]) {
        if (!this.running) break;
        const comment = toComment(kind, repo, raw);
        if (cursor.seen[raw.id] === raw.updated_at) {
          if (comment && cursor.mentions?.includes(raw.id)) await this.deps.recheck(comment);
          continue;
        }
        const fresh = comment && Date.parse(raw.created_at) >= Math.max(Date.parse(cursor.floor), Date.parse(readFrom));
        if (comment && fresh) {
          const accepted = await this.deps.ingest(comment);
          cursor = advance(cursor, raw, this.deps.overlapMs, accepted);
          // A handled mention is recorded at once; skipped comments with the page.
          await this.saveCheckpoint(repo, { ...checkpoint, [kind]: cursor });
          moved = false;
        } else {
          cursor = advance(cursor, raw, this.deps.overlapMs);
          moved = true;
        }
      }
      if (moved) await this.saveCheckpoint(repo, { ...checkpoint, [kind]: cursor });
      if (!this.running) return;
    }
  }

  private async holdLease(): Promise<boolean> {
    this.holding = this.deps.mayPoll?.() ?? true;
    return this.holding;
  }

  private async readCheckpoint(repo: string): Promise<RepoCheckpoint> {
    const value = await this.deps.state.get(checkpointKey(repo));
    if (value === undefined) return {};
    try {
      return JSON.parse(value) as RepoCheckpoint;
    } catch {
      this.deps.log().warn("unreadable GitHub checkpoint; starting from now", { repo });
      return {};
    }
  }

  private async saveCheckpoint(repo: string, checkpoint: RepoCheckpoint): Promise<void> {
    await this.deps.state.set(checkpointKey(repo), JSON.stringify(checkpoint));
  }

  private async pause(ms: number): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }
}

class LeaseLost extends Error {}

/** Move past one handled comment, and forget handled comments that fell out of the overlap window. */
function advance(cursor: Cursor, raw: RawComment, overlapMs: number, accepted = false): Cursor {
  const since = Date.parse(raw.updated_at) > Date.parse(cursor.since) ? raw.updated_at : cursor.since;
  const horizon = Date.parse(since) - overlapMs;
  const seen: Record<string, string> = {};
  for (const [id, updated] of Object.entries(cursor.seen)) if (Date.parse(updated) >= horizon) seen[id] = updated;
  seen[raw.id] = raw.updated_at;
  const mentions = (cursor.mentions ?? []).filter((id) => seen[id] !== undefined);
  if (accepted) mentions.push(raw.id);
  return { since, floor: cursor.floor, seen, ...(mentions.length > 0 ? { mentions } : {}) };
}

export function checkpointKey(repo: string): string {
  return `checkpoint:${repo}`;
}

/** GitHub's timestamp format: ISO 8601 in UTC, whole seconds. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
