/**
 * One GitHub comment the channel may answer, the same whether it came from a poll (REST list
 * endpoints) or a webhook (`issue_comment`, `pull_request_review_comment`): issue and PR
 * conversation comments, and review comments on a PR's diff.
 */

export type CommentKind = "issue" | "review";

export interface GitHubUser {
  login: string;
  id: number;
  type: string;
}

export interface GitHubComment {
  kind: CommentKind;
  id: number;
  /** `owner/name`. */
  repo: string;
  /** The issue or pull request number. */
  number: number;
  body: string;
  user: GitHubUser;
  /** The GitHub App that posted it, if one did. */
  viaAppId: number | undefined;
  htmlUrl: string;
  createdAt: string;
  updatedAt: string;
  /** Review comments: the file and the diff around the line. */
  path?: string;
  diffHunk?: string;
}

/** A comment as the REST API and webhook payloads give it (the fields we read). */
export interface RawComment {
  id: number;
  body?: string | null;
  user?: { login: string; id: number; type: string } | null;
  performed_via_github_app?: { id: number } | null;
  html_url: string;
  created_at: string;
  updated_at: string;
  issue_url?: string;
  pull_request_url?: string;
  path?: string;
  diff_hunk?: string;
}

/** Normalises a REST or webhook comment; undefined when it lacks what an answer needs. */
export function toComment(kind: CommentKind, repo: string, raw: RawComment): GitHubComment | undefined {
  const number = issueNumber(kind === "issue" ? raw.issue_url : raw.pull_request_url);
  if (number === undefined || !raw.user) return undefined;
  return {
    kind,
    id: raw.id,
    repo,
    number,
    body: raw.body ?? "",
    user: { login: raw.user.login, id: raw.user.id, type: raw.user.type },
    viaAppId: raw.performed_via_github_app?.id ?? undefined,
    htmlUrl: raw.html_url,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    ...(raw.path !== undefined ? { path: raw.path } : {}),
    ...(raw.diff_hunk !== undefined ? { diffHunk: raw.diff_hunk } : {}),
  };
}

/** `…/issues/12` or `…/pulls/12` → 12. */
function issueNumber(url: string | undefined): number | undefined {
  const match = url ? /\/(?:issues|pulls)\/(\d+)$/.exec(url) : null;
  return match ? Number(match[1]) : undefined;
}

/** The dedupe key of a comment: issue and review comments are numbered separately. */
export function commentKey(comment: Pick<GitHubComment, "kind" | "id">): string {
  return `${comment.kind}:${comment.id}`;
}

/** Where a comment lives, as the gateway's conversation id: one session per issue or PR. */
export function conversationId(repo: string, number: number): string {
  return `${repo}#${number}`;
}
