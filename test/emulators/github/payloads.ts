/**
 * GitHub's JSON shapes, built from the emulator's records the way the REST API and webhooks
 * return them (field names and nesting from GitHub's OpenAPI description: simple-user,
 * repository, issue, pull-request, issue-comment, pull-request-review-comment, reaction,
 * integration, installation). API URLs point at the emulator so clients can follow them.
 */
import type { Account, IssueRecord, ReactionRecord, RepoRecord, RepoStore, StoredComment } from "./repos.ts";

export interface AppInfo {
  id: number;
  slug: string;
  clientId: string;
  installationId: number;
  botLogin: string;
  createdAt: string;
}

export const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"] as const;
/** The App's permissions on its installation: what the Switchboard channel needs. */
export const APP_PERMISSIONS = { issues: "write", metadata: "read", pull_requests: "write" } as const;
export const APP_EVENTS = ["issue_comment", "pull_request_review_comment"];

const nodeId = (prefix: string, id: number): string => `${prefix}_kwDO${Buffer.from(String(id)).toString("base64url")}`;

/** Repository URL templates, relative to the repository's API URL. */
const REPO_URLS: Record<string, string> = {
  archive_url: "/{archive_format}{/ref}", assignees_url: "/assignees{/user}", blobs_url: "/git/blobs{/sha}", branches_url: "/branches{/branch}",
  collaborators_url: "/collaborators{/collaborator}", comments_url: "/comments{/number}", commits_url: "/commits{/sha}", compare_url: "/compare/{base}...{head}",
  contents_url: "/contents/{+path}", contributors_url: "/contributors", deployments_url: "/deployments", downloads_url: "/downloads", events_url: "/events",
  forks_url: "/forks", git_commits_url: "/git/commits{/sha}", git_refs_url: "/git/refs{/sha}", git_tags_url: "/git/tags{/sha}", hooks_url: "/hooks",
  issue_comment_url: "/issues/comments{/number}", issue_events_url: "/issues/events{/number}", issues_url: "/issues{/number}", keys_url: "/keys{/key_id}",
  labels_url: "/labels{/name}", languages_url: "/languages", merges_url: "/merges", milestones_url: "/milestones{/number}",
  notifications_url: "/notifications{?since,all,participating}", pulls_url: "/pulls{/number}", releases_url: "/releases{/id}", stargazers_url: "/stargazers",
  statuses_url: "/statuses/{sha}", subscribers_url: "/subscribers", subscription_url: "/subscription", tags_url: "/tags", teams_url: "/teams", trees_url: "/git/trees{/sha}",
};

export class Payloads {
  readonly api: string;
  readonly html: string;
  private readonly store: RepoStore;
  private readonly app: AppInfo;

  constructor(store: RepoStore, app: AppInfo, api: string, html = "https://github.com") {
    this.store = store;
    this.app = app;
    this.api = api;
    this.html = html;
  }

  user(login: string): Record<string, unknown> {
    const a: Account = this.store.knowAccount(login);
    const url = `${this.api}/users/${encodeURIComponent(a.login)}`;
    const bot = a.type === "Bot" && a.login === this.app.botLogin;
    return {
      login: a.login,
      id: a.id,
      node_id: nodeId(a.type === "Bot" ? "BOT" : a.type === "Organization" ? "O" : "U", a.id),
      avatar_url: bot ? `https://avatars.githubusercontent.com/in/${this.app.id}?v=4` : `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
      gravatar_id: "",
      url,
      html_url: bot ? `${this.html}/apps/${this.app.slug}` : `${this.html}/${a.login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: a.type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  /** `GET /user`: the public profile fields on top of the simple user. */
  authenticatedUser(login: string): Record<string, unknown> {
    const a = this.store.knowAccount(login);
    return { ...this.user(login), name: a.login, company: null, blog: "", location: null, email: a.email ?? null, hireable: null, bio: null, twitter_username: null, public_repos: 0, public_gists: 0, followers: 0, following: 0, created_at: a.createdAt, updated_at: a.createdAt };
  }

  repo(repo: RepoRecord): Record<string, unknown> {
    const url = `${this.api}/repos/${repo.fullName}`;
    const templates = Object.fromEntries(Object.entries(REPO_URLS).map(([name, suffix]) => [name, url + suffix]));
    const open = repo.nextNumber - 1; // every issue and pull request stays open
    return {
      id: repo.id, node_id: nodeId("R", repo.id), name: repo.name, full_name: repo.fullName, private: false, owner: this.user(repo.owner),
      html_url: `${this.html}/${repo.fullName}`, description: null, fork: false, url, ...templates,
      git_url: `git://github.com/${repo.fullName}.git`, ssh_url: `git@github.com:${repo.fullName}.git`, clone_url: `${this.html}/${repo.fullName}.git`,
      svn_url: `${this.html}/${repo.fullName}`, mirror_url: null, homepage: null, language: null,
      forks_count: 0, stargazers_count: 0, watchers_count: 0, size: 0, default_branch: "main", open_issues_count: open,
      is_template: false, topics: [], has_issues: true, has_projects: true, has_wiki: true, has_pages: false, has_downloads: true, has_discussions: false,
      archived: false, disabled: false, visibility: "public", pushed_at: repo.createdAt, created_at: repo.createdAt, updated_at: repo.createdAt,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      allow_forking: true, web_commit_signoff_required: false, license: null, forks: 0, open_issues: open, watchers: 0,
    };
  }

  private association(repo: string, login: string): string {
    return repo.split("/")[0]?.toLowerCase() === login.toLowerCase() ? "OWNER" : "NONE";
  }

  private rollup(url: string, reactions: ReactionRecord[]): Record<string, unknown> {
    const counts = Object.fromEntries(REACTIONS.map((c) => [c, reactions.filter((r) => r.content === c).length]));
    return { url: `${url}/reactions`, total_count: reactions.length, ...counts };
  }

  issue(issue: IssueRecord): Record<string, unknown> {
    const repo = this.store.repo(issue.repo)!;
    const url = `${this.api}/repos/${repo.fullName}/issues/${issue.number}`;
    const htmlUrl = `${this.html}/${repo.fullName}/${issue.pull ? "pull" : "issues"}/${issue.number}`;
    return {
      url, repository_url: `${this.api}/repos/${repo.fullName}`, labels_url: `${url}/labels{/name}`, comments_url: `${url}/comments`, events_url: `${url}/events`,
      html_url: htmlUrl, id: issue.id, node_id: nodeId(issue.pull ? "PR" : "I", issue.id), number: issue.number, title: issue.title, user: this.user(issue.user),
      labels: [], state: "open", locked: false, assignee: null, assignees: [], milestone: null,
      comments: this.store.comments({ repo: repo.fullName, number: issue.number, kind: "issue" }).length,
      created_at: issue.createdAt, updated_at: issue.updatedAt, closed_at: null, author_association: this.association(repo.fullName, issue.user),
      active_lock_reason: null, body: issue.body, closed_by: null, reactions: this.rollup(url, []), timeline_url: `${url}/timeline`,
      performed_via_github_app: null, state_reason: null,
      ...(issue.pull ? { draft: false, pull_request: { url: `${this.api}/repos/${repo.fullName}/pulls/${issue.number}`, html_url: htmlUrl, diff_url: `${htmlUrl}.diff`, patch_url: `${htmlUrl}.patch`, merged_at: null } } : {}),
    };
  }

  pull(issue: IssueRecord): Record<string, unknown> {
    const repo = this.store.repo(issue.repo)!;
    const api = `${this.api}/repos/${repo.fullName}`;
    const url = `${api}/pulls/${issue.number}`;
    const htmlUrl = `${this.html}/${repo.fullName}/pull/${issue.number}`;
    const repoJson = this.repo(repo);
    const branch = (ref: string, sha: string, login: string) => ({ label: `${repo.owner}:${ref}`, ref, sha, user: this.user(login), repo: repoJson });
    const link = (href: string) => ({ href });
    return {
      url, id: issue.pullId, node_id: nodeId("PR", issue.pullId ?? issue.id), html_url: htmlUrl, diff_url: `${htmlUrl}.diff`, patch_url: `${htmlUrl}.patch`,
      issue_url: `${api}/issues/${issue.number}`, commits_url: `${url}/commits`, review_comments_url: `${url}/comments`, review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${issue.number}/comments`, statuses_url: `${api}/statuses/${issue.headSha}`, number: issue.number, state: "open", locked: false,
      title: issue.title, user: this.user(issue.user), body: issue.body, labels: [], milestone: null, active_lock_reason: null,
      created_at: issue.createdAt, updated_at: issue.updatedAt, closed_at: null, merged_at: null, merge_commit_sha: null, assignee: null, assignees: [],
      requested_reviewers: [], requested_teams: [], head: branch(`feature-${issue.number}`, issue.headSha, issue.user), base: branch("main", "0".repeat(40), repo.owner),
      _links: {
        self: link(url), html: link(htmlUrl), issue: link(`${api}/issues/${issue.number}`), comments: link(`${api}/issues/${issue.number}/comments`),
        review_comments: link(`${url}/comments`), review_comment: link(`${api}/pulls/comments{/number}`), commits: link(`${url}/commits`), statuses: link(`${api}/statuses/${issue.headSha}`),
      },
      author_association: this.association(repo.fullName, issue.user), auto_merge: null, draft: false, merged: false, mergeable: true, rebaseable: true,
      mergeable_state: "clean", merged_by: null, comments: this.store.comments({ repo: repo.fullName, number: issue.number, kind: "issue" }).length,
      review_comments: this.store.comments({ repo: repo.fullName, number: issue.number, kind: "review" }).length, maintainer_can_modify: false,
      commits: 1, additions: 1, deletions: 0, changed_files: 1,
    };
  }

  comment(c: StoredComment): Record<string, unknown> {
    return c.kind === "issue" ? this.issueComment(c) : this.reviewComment(c);
  }

  private issueComment(c: StoredComment): Record<string, unknown> {
    const url = `${this.api}/repos/${c.repo}/issues/comments/${c.id}`;
    const pull = this.store.issue(c.repo, c.number)?.pull ?? false;
    return {
      url, html_url: `${this.html}/${c.repo}/${pull ? "pull" : "issues"}/${c.number}#issuecomment-${c.id}`, issue_url: `${this.api}/repos/${c.repo}/issues/${c.number}`,
      id: c.id, node_id: nodeId("IC", c.id), user: this.user(c.user), created_at: c.createdAt, updated_at: c.updatedAt,
      author_association: this.association(c.repo, c.user), body: c.body, reactions: this.rollup(url, this.store.reactions(c.id)),
      performed_via_github_app: c.viaApp ? this.integration() : null,
    };
  }

  private reviewComment(c: StoredComment): Record<string, unknown> {
    const url = `${this.api}/repos/${c.repo}/pulls/comments/${c.id}`;
    const htmlUrl = `${this.html}/${c.repo}/pull/${c.number}#discussion_r${c.id}`;
    const pullUrl = `${this.api}/repos/${c.repo}/pulls/${c.number}`;
    return {
      url, pull_request_review_id: c.reviewId ?? null, id: c.id, node_id: nodeId("PRRC", c.id), diff_hunk: `@@ -1,1 +1,${c.line ?? 1} @@`, path: c.path ?? "",
      position: c.line ?? 1, original_position: c.line ?? 1, commit_id: c.commitId ?? "", original_commit_id: c.commitId ?? "",
      ...(c.inReplyTo !== undefined ? { in_reply_to_id: c.inReplyTo } : {}),
      user: this.user(c.user), body: c.body, created_at: c.createdAt, updated_at: c.updatedAt, html_url: htmlUrl, pull_request_url: pullUrl,
      author_association: this.association(c.repo, c.user), _links: { self: { href: url }, html: { href: htmlUrl }, pull_request: { href: pullUrl } },
      reactions: this.rollup(url, this.store.reactions(c.id)), start_line: null, original_start_line: null, start_side: null,
      line: c.line ?? 1, original_line: c.line ?? 1, side: "RIGHT", subject_type: "line",
    };
  }

  reaction(r: ReactionRecord): Record<string, unknown> {
    return { id: r.id, node_id: nodeId("REA", r.id), user: this.user(r.user), content: r.content, created_at: r.createdAt };
  }

  /** The installation's account: the owner of the first installed repository. */
  private installationAccount(): string {
    return this.store.repos().find((r) => r.installed)?.owner ?? this.store.repos()[0]?.owner ?? "octo-org";
  }

  integration(): Record<string, unknown> {
    const a = this.app;
    return {
      id: a.id, slug: a.slug, node_id: nodeId("A", a.id), client_id: a.clientId, owner: this.user(this.installationAccount()), name: a.slug,
      description: "Answers @mentions on issues and pull requests", external_url: "https://example.com/switchboard", html_url: `${this.html}/apps/${a.slug}`,
      created_at: a.createdAt, updated_at: a.createdAt, permissions: { ...APP_PERMISSIONS }, events: [...APP_EVENTS], installations_count: 1,
    };
  }

  installation(): Record<string, unknown> {
    const a = this.app;
    const account = this.store.knowAccount(this.installationAccount());
    return {
      id: a.installationId, account: this.user(account.login), repository_selection: "selected",
      access_tokens_url: `${this.api}/app/installations/${a.installationId}/access_tokens`, repositories_url: `${this.api}/installation/repositories`,
      html_url: `${this.html}/${account.type === "Organization" ? `organizations/${account.login}/` : ""}settings/installations/${a.installationId}`,
      app_id: a.id, app_slug: a.slug, client_id: a.clientId, target_id: account.id, target_type: account.type, permissions: { ...APP_PERMISSIONS }, events: [...APP_EVENTS],
      created_at: a.createdAt, updated_at: a.createdAt, single_file_name: null, has_multiple_single_files: false, single_file_paths: [], suspended_by: null, suspended_at: null,
    };
  }
}
