/**
 * The REST calls the channel makes about one mention, for both kinds of comment: conversation
 * comments on issues and PRs (`/issues/...`), and review comments on a PR's diff, answered in
 * their review thread (`/pulls/...`).
 */
import type { Octokit } from "@octokit/rest";
import type { CommentKind } from "./comment.ts";

/** The mention a reply answers; carried in `Address.ref` from accept to delivery. */
export interface ReplyRef {
  kind: CommentKind;
  repo: string;
  number: number;
  /** The mentioning comment. */
  commentId: number;
  /** When it was created: comments we posted in answer are newer, so searches start there. */
  createdAt: string;
}

export class GitHubApi {
  private readonly octokit: Octokit;

  constructor(octokit: Octokit) {
    this.octokit = octokit;
  }

  /** 👀 on the mention: GitHub keeps one reaction per user and content, so repeating it is harmless. */
  /** The public email on a user's profile, if they show one. */
  async publicEmail(login: string): Promise<string | undefined> {
    return (await this.octokit.rest.users.getByUsername({ username: login })).data.email ?? undefined;
  }

  async react(ref: ReplyRef, content: "eyes"): Promise<void> {
    const [owner, repo] = split(ref.repo);
    if (ref.kind === "issue") await this.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: ref.commentId, content });
    else await this.octokit.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id: ref.commentId, content });
  }

  /** A new comment answering the mention: on the issue/PR, or in the review thread. */
  async post(ref: ReplyRef, body: string): Promise<number> {
    const [owner, repo] = split(ref.repo);
    if (ref.kind === "issue") return (await this.octokit.rest.issues.createComment({ owner, repo, issue_number: ref.number, body })).data.id;
    return (await this.octokit.rest.pulls.createReplyForReviewComment({ owner, repo, pull_number: ref.number, comment_id: ref.commentId, body })).data.id;
  }

  async edit(ref: ReplyRef, commentId: number, body: string): Promise<void> {
    const [owner, repo] = split(ref.repo);
    if (ref.kind === "issue") await this.octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
    else await this.octokit.rest.pulls.updateReviewComment({ owner, repo, comment_id: commentId, body });
  }

  /** Our comment carrying `marker`, posted since the mention; every page is read. */
  async find(ref: ReplyRef, author: string, marker: string): Promise<number | undefined> {
    const [owner, repo] = split(ref.repo);
    const pages =
      ref.kind === "issue"
        ? this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, { owner, repo, issue_number: ref.number, since: ref.createdAt, per_page: 100 })
        : this.octokit.paginate.iterator(this.octokit.rest.pulls.listReviewComments, { owner, repo, pull_number: ref.number, since: ref.createdAt, per_page: 100 });
    for await (const page of pages) {
      for (const comment of page.data) {
        if (comment.user?.login === author && (comment.body ?? "").includes(marker)) return comment.id;
      }
    }
    return undefined;
  }
}

export function split(fullName: string): [string, string] {
  const slash = fullName.indexOf("/");
  return [fullName.slice(0, slash), fullName.slice(slash + 1)];
}
