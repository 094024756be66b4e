/**
 * What the agent is told about the issue or pull request it was mentioned on: its title, body
 * and URL, then who asked what. Issue details are fetched once per issue and kept briefly, so a
 * burst of mentions on one PR costs one request.
 */
import type { Octokit } from "@octokit/rest";
import type { GitHubComment } from "./comment.ts";
import { split } from "./api.ts";

export interface IssueContext {
  kind: "issue" | "pull request";
  title: string;
  body: string;
  url: string;
}

/** Bodies past this are cut: the agent gets the gist, and the URL for the rest. */
const maxBodyLength = 4000;

export class IssueContexts {
  private readonly octokit: Octokit;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { context: IssueContext; until: number }>();

  constructor(octokit: Octokit, ttlMs = 60_000) {
    this.octokit = octokit;
    this.ttlMs = ttlMs;
  }

  /** A webhook payload already carries the issue or PR: no request needed. */
  remember(repo: string, number: number, context: IssueContext): void {
    this.cache.set(`${repo}#${number}`, { context, until: Date.now() + this.ttlMs });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
  }

  async get(repo: string, number: number): Promise<IssueContext> {
    const key = `${repo}#${number}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.context;
    const [owner, name] = split(repo);
    const { data } = await this.octokit.rest.issues.get({ owner, repo: name, issue_number: number });
    const context = issueContext(data);
    this.remember(repo, number, context);
    return context;
  }
}

/** From a REST issue, a webhook's `issue`, or a webhook's `pull_request`. */
export function issueContext(issue: { title: string; body?: string | null; html_url: string; pull_request?: unknown }, isPull = false): IssueContext {
  return {
    kind: isPull || issue.pull_request ? "pull request" : "issue",
    title: issue.title,
    body: issue.body ?? "",
    url: issue.html_url,
  };
}

/** The message the agent gets: context first, then the request (mention removed). */
export function promptText(comment: GitHubComment, request: string, context: IssueContext): string {
  const body = context.body.length > maxBodyLength ? `${context.body.slice(0, maxBodyLength)}\n[… cut; the rest is at the URL]` : context.body;
  const lines = [`[GitHub ${context.kind} ${comment.repo}#${comment.number}: "${context.title}"]`, `URL: ${context.url}`];
  if (body.trim()) lines.push("", body.trim());
  lines.push("");
  if (comment.kind === "review" && comment.path) {
    lines.push(`@${comment.user.login} commented on ${comment.path} (${comment.htmlUrl}):`);
    if (comment.diffHunk) lines.push("```diff", comment.diffHunk, "```");
  } else {
    lines.push(`@${comment.user.login} commented (${comment.htmlUrl}):`);
  }
  lines.push(request);
  return lines.join("\n");
}
