/**
 * The emulated GitHub's state: accounts, repositories, issues and pull requests (one numbering
 * per repository), conversation and review comments with their edit history, and reactions.
 * The REST routes and the test-facing API both read and write it; it knows nothing of HTTP.
 */

export type AccountType = "User" | "Bot" | "Organization";

export interface Account {
  login: string;
  id: number;
  type: AccountType;
  createdAt: string;
  /** The public email on the profile, if the user shows one. */
  email?: string;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  /** In the App's installation: installation tokens can see it and App webhooks fire for it. */
  installed: boolean;
  createdAt: string;
  nextNumber: number;
}

export interface IssueRecord {
  id: number;
  /** The pull request's own id (pulls have one besides their issue id). */
  pullId?: number;
  repo: string;
  number: number;
  title: string;
  body: string;
  user: string;
  pull: boolean;
  headSha: string;
  createdAt: string;
  updatedAt: string;
}

export interface CommentRecord {
  id: number;
  kind: "issue" | "review";
  repo: string;
  number: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** Earlier bodies, oldest first. */
  edits: string[];
  /** Review comments: the thread's first comment. */
  inReplyTo?: number;
  /** Posted with an installation token, so GitHub shows it as performed via the App. */
  viaApp: boolean;
}

/** What the emulator keeps besides the public record: where a review comment sits in the diff. */
export interface StoredComment extends CommentRecord {
  path?: string;
  line?: number;
  commitId?: string;
  reviewId?: number;
}

export interface ReactionRecord {
  id: number;
  content: string;
  user: string;
  createdAt: string;
}

export type CommentEvent = { action: "created"; comment: StoredComment } | { action: "edited"; comment: StoredComment; previousBody: string; editor: string };

/** GitHub's timestamps have second precision: `2026-11-21T10:00:00Z`. */
export const isoSeconds = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const key = (name: string): string => name.toLowerCase();

export class RepoStore {
  /** Called after a comment is created or edited (webhooks hang off this). */
  onComment: (event: CommentEvent) => void = () => undefined;
  private readonly accounts = new Map<string, Account>();
  private readonly repoByName = new Map<string, RepoRecord>();
  private readonly issueByRef = new Map<string, IssueRecord>();
  private readonly commentList: StoredComment[] = [];
  private readonly commentById = new Map<number, StoredComment>();
  private readonly reactionsById = new Map<number, ReactionRecord[]>();
  private nextAccountId = 583_231;
  private nextRepoId = 1_296_269;
  private nextIssueId = 1_347_000_001;
  private nextCommentId = 2_147_483_000;
  private nextReactionId = 9_000_001;
  private nextReviewId = 80_000_001;

  addAccount(login: string, type: AccountType, id?: number): Account {
    const existing = this.accounts.get(key(login));
    if (existing) return existing;
    const account: Account = { login, id: id ?? this.nextAccountId++, type, createdAt: isoSeconds() };
    this.accounts.set(key(login), account);
    return account;
  }

  account(login: string): Account | undefined {
    return this.accounts.get(key(login));
  }

  /** Anyone who writes exists; a login the test never described becomes a plain user. */
  knowAccount(login: string): Account {
    return this.account(login) ?? this.addAccount(login, "User");
  }

  addRepo(fullName: string, installed: boolean): RepoRecord {
    const [owner, name, extra] = fullName.split("/");
    if (!owner || !name || extra !== undefined) throw new Error(`github emulator: a repository is "owner/name", not "${fullName}"`);
    const existing = this.repoByName.get(key(fullName));
    if (existing) {
      existing.installed = installed;
      return existing;
    }
    if (!this.account(owner)) this.addAccount(owner, "Organization");
    const repo: RepoRecord = { id: this.nextRepoId++, owner, name, fullName: `${owner}/${name}`, installed, createdAt: isoSeconds(), nextNumber: 1 };
    this.repoByName.set(key(fullName), repo);
    return repo;
  }

  repo(fullName: string): RepoRecord | undefined {
    return this.repoByName.get(key(fullName));
  }

  repoById(id: number): RepoRecord | undefined {
    return [...this.repoByName.values()].find((r) => r.id === id);
  }

  repos(): RepoRecord[] {
    return [...this.repoByName.values()].sort((a, b) => a.id - b.id);
  }

  private knownRepo(fullName: string): RepoRecord {
    const repo = this.repo(fullName);
    if (!repo) throw new Error(`github emulator: no repository ${fullName}; call addRepo first`);
    return repo;
  }

  addIssue(fullName: string, opts: { title: string; body?: string; user: string; pull?: boolean }): IssueRecord {
    const repo = this.knownRepo(fullName);
    this.knowAccount(opts.user);
    const now = isoSeconds();
    const issue: IssueRecord = {
      id: this.nextIssueId++,
      repo: repo.fullName,
      number: repo.nextNumber++,
      title: opts.title,
      body: opts.body ?? "",
      user: opts.user,
      pull: opts.pull ?? false,
      headSha: fakeSha(`${repo.fullName}#${repo.nextNumber}`),
      createdAt: now,
      updatedAt: now,
    };
    if (issue.pull) issue.pullId = this.nextIssueId++;
    this.issueByRef.set(`${key(repo.fullName)}#${issue.number}`, issue);
    return issue;
  }

  issue(fullName: string, number: number): IssueRecord | undefined {
    return this.issueByRef.get(`${key(fullName)}#${number}`);
  }

  addComment(input: Omit<StoredComment, "id" | "createdAt" | "updatedAt" | "edits">): StoredComment {
    const repo = this.knownRepo(input.repo);
    const issue = this.issue(repo.fullName, input.number);
    if (!issue) throw new Error(`github emulator: ${repo.fullName} has no issue or pull request #${input.number}`);
    if (input.kind === "review" && !issue.pull) throw new Error(`github emulator: ${repo.fullName}#${input.number} is an issue; review comments need a pull request`);
    this.knowAccount(input.user);
    const now = isoSeconds();
    const comment: StoredComment = { ...input, repo: repo.fullName, id: this.nextCommentId++, createdAt: now, updatedAt: now, edits: [] };
    if (comment.kind === "review") comment.reviewId = this.nextReviewId++;
    this.commentList.push(comment);
    this.commentById.set(comment.id, comment);
    issue.updatedAt = now;
    this.onComment({ action: "created", comment });
    return comment;
  }

  comment(id: number): StoredComment | undefined {
    return this.commentById.get(id);
  }

  editComment(comment: StoredComment, body: string, editor: string): void {
    const previousBody = comment.body;
    comment.edits.push(previousBody);
    comment.body = body;
    comment.updatedAt = isoSeconds();
    this.onComment({ action: "edited", comment, previousBody, editor });
  }

  /** Comments in creation order. */
  comments(filter: { repo?: string; number?: number; user?: string; kind?: "issue" | "review" } = {}): StoredComment[] {
    return this.commentList.filter(
      (c) =>
        (filter.repo === undefined || key(c.repo) === key(filter.repo)) &&
        (filter.number === undefined || c.number === filter.number) &&
        (filter.user === undefined || key(c.user) === key(filter.user)) &&
        (filter.kind === undefined || c.kind === filter.kind),
    );
  }

  /** A user reacts once per content: the second identical reaction returns the first (`created: false`). */
  react(commentId: number, user: string, content: string): { reaction: ReactionRecord; created: boolean } {
    const list = this.reactionsById.get(commentId) ?? [];
    const existing = list.find((r) => r.content === content && key(r.user) === key(user));
    if (existing) return { reaction: existing, created: false };
    const reaction: ReactionRecord = { id: this.nextReactionId++, content, user, createdAt: isoSeconds() };
    list.push(reaction);
    this.reactionsById.set(commentId, list);
    return { reaction, created: true };
  }

  reactions(commentId: number): ReactionRecord[] {
    return this.reactionsById.get(commentId) ?? [];
  }
}

/** Where a reply to `parent` goes: into its thread (named by the thread's first comment) at the same place in the diff. */
export function replyPlacement(parent: StoredComment): Pick<StoredComment, "inReplyTo" | "path" | "line" | "commitId"> {
  return { inReplyTo: parent.inReplyTo ?? parent.id, path: parent.path, line: parent.line, commitId: parent.commitId };
}

/** A stable 40-hex "commit sha" for a label, so PR heads look real. */
export function fakeSha(label: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 40; round++) {
    for (const ch of `${label}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}
