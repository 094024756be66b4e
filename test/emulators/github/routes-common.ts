/**
 * What the repository routes share: finding a repository, issue or comment the caller may see
 * (GitHub answers 404 for what a token cannot reach), listing comments with `since`, `sort`,
 * `direction` and pagination, checking comment bodies, and the reaction endpoints.
 */
import type { AppInfo, Payloads } from "./payloads.ts";
import { REACTIONS } from "./payloads.ts";
import { GitHubError, invalidRequest, notFound, validationFailed, type Call, type Reply, type Route } from "./http.ts";
import { paginate } from "./pagination.ts";
import type { Credentials } from "./auth.ts";
import type { PrimaryRateLimits } from "./rate-limits.ts";
import type { IssueRecord, RepoRecord, RepoStore, StoredComment } from "./repos.ts";

export interface RouteDeps {
  store: RepoStore;
  payloads: Payloads;
  credentials: Credentials;
  limits: PrimaryRateLimits;
  app: AppInfo;
}

/** GitHub's cap on an issue or review comment's body, in characters. */
export const MAX_COMMENT_LENGTH = 65_536;

export const docs = (anchor: string): string => `https://docs.github.com/rest/${anchor}`;

/** The repository named by `{owner}/{repo}`, if this caller can see it (installation tokens: installed repos only). */
export function repoFor(deps: RouteDeps, call: Call): RepoRecord {
  const repo = deps.store.repo(`${decodeURIComponent(call.params.owner ?? "")}/${decodeURIComponent(call.params.repo ?? "")}`);
  if (!repo || (call.identity.kind === "installation" && !repo.installed)) throw notFound();
  return repo;
}

export function issueFor(deps: RouteDeps, repo: RepoRecord, number: string | undefined, pullOnly = false): IssueRecord {
  const issue = deps.store.issue(repo.fullName, Number(number));
  if (!issue || (pullOnly && !issue.pull)) throw notFound();
  return issue;
}

export function commentFor(deps: RouteDeps, repo: RepoRecord, kind: StoredComment["kind"], id: string | undefined): StoredComment {
  const comment = deps.store.comment(Number(id));
  if (!comment || comment.kind !== kind || comment.repo !== repo.fullName) throw notFound();
  return comment;
}

/** Who acts: the PAT's user or the installation's bot. */
export const actor = (call: Call): string => call.identity.name;

/** The body of a new or edited comment, or GitHub's 422. */
export function commentBody(call: Call, endpointDocs: string, resource: string): string {
  const body = call.body.body;
  if (typeof body !== "string") throw invalidRequest(endpointDocs, ["body"]);
  if (!body.trim()) throw validationFailed(endpointDocs, { resource, code: "unprocessable", field: "data", message: "Body cannot be blank" });
  if ([...body].length > MAX_COMMENT_LENGTH) {
    throw validationFailed(endpointDocs, { resource, code: "unprocessable", field: "data", message: `Body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)` });
  }
  return body;
}

/** The author, the repository's owner and the App (which has write access) may edit a comment. */
export function checkMayEdit(call: Call, repo: RepoRecord, comment: StoredComment): void {
  const who = actor(call).toLowerCase();
  if (call.identity.kind === "installation" || who === comment.user.toLowerCase() || who === repo.owner.toLowerCase()) return;
  throw new GitHubError(403, "Must have admin rights to Repository.");
}

/** The path after `/repos/{owner}/{repo}`, under `/repositories/{id}` as GitHub writes its Link URLs. */
function linkBase(deps: RouteDeps, call: Call, repo: RepoRecord): string {
  const prefix = `/repos/${call.params.owner}/${call.params.repo}`;
  return `${deps.payloads.api}/repositories/${repo.id}${call.path.slice(prefix.length)}`;
}

/**
 * A comment list: `since` keeps comments updated at or after it; ordered by creation (or by
 * `sort=updated`), ascending unless `sort` is given, when `direction` defaults to desc; ties by id.
 */
export function listComments(deps: RouteDeps, call: Call, repo: RepoRecord, kind: StoredComment["kind"], number?: number): Reply {
  let list = deps.store.comments({ repo: repo.fullName, kind, ...(number !== undefined ? { number } : {}) });
  const since = Date.parse(call.query.get("since") ?? "");
  if (Number.isFinite(since)) list = list.filter((c) => Date.parse(c.updatedAt) >= since);
  const sort = call.query.get("sort");
  const field = sort === "updated" ? "updatedAt" : "createdAt";
  const descending = sort !== null && call.query.get("direction") !== "asc";
  list = [...list].sort((a, b) => Date.parse(a[field]) - Date.parse(b[field]) || a.id - b.id);
  if (descending) list.reverse();
  const page = paginate(list, call.query, linkBase(deps, call, repo));
  return { status: 200, body: page.items.map((c) => deps.payloads.comment(c)), ...(page.link ? { headers: { link: page.link } } : {}) };
}

/** The docs anchors of one kind of comment's single-comment endpoints. */
export interface CommentDocs {
  get: string;
  update: string;
  listReactions: string;
  createReaction: string;
}

/** `GET|PATCH …/comments/{comment_id}` and its reactions, for one kind of comment. */
export function singleCommentRoutes(deps: RouteDeps, base: string, kind: StoredComment["kind"], resource: string, anchors: CommentDocs): Route[] {
  const path = `${base}/{comment_id}`;
  const update = docs(anchors.update);
  return [
    {
      method: "GET",
      path,
      docs: docs(anchors.get),
      auth: "token",
      handle: (call) => ({ status: 200, body: deps.payloads.comment(commentFor(deps, repoFor(deps, call), kind, call.params.comment_id)) }),
    },
    {
      method: "PATCH",
      path,
      docs: update,
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        const comment = commentFor(deps, repo, kind, call.params.comment_id);
        const body = commentBody(call, update, resource);
        checkMayEdit(call, repo, comment);
        deps.store.editComment(comment, body, actor(call));
        return { status: 200, body: deps.payloads.comment(comment) };
      },
    },
    ...reactionRoutes(deps, base, kind, { list: anchors.listReactions, create: anchors.createReaction }),
  ];
}

/** `GET|POST …/comments/{comment_id}/reactions` for one kind of comment. */
export function reactionRoutes(deps: RouteDeps, base: string, kind: StoredComment["kind"], anchors: { list: string; create: string }): Route[] {
  const path = `${base}/{comment_id}/reactions`;
  return [
    {
      method: "GET",
      path,
      docs: docs(anchors.list),
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        const comment = commentFor(deps, repo, kind, call.params.comment_id);
        const content = call.query.get("content");
        const list = deps.store.reactions(comment.id).filter((r) => !content || r.content === content);
        const page = paginate(list, call.query, linkBase(deps, call, repo));
        return { status: 200, body: page.items.map((r) => deps.payloads.reaction(r)), ...(page.link ? { headers: { link: page.link } } : {}) };
      },
    },
    {
      method: "POST",
      path,
      docs: docs(anchors.create),
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        const comment = commentFor(deps, repo, kind, call.params.comment_id);
        const content = call.body.content;
        if (typeof content !== "string") throw invalidRequest(docs(anchors.create), ["content"]);
        if (!(REACTIONS as readonly string[]).includes(content)) {
          throw new GitHubError(422, `Invalid request.\n\nFor 'properties/content', "${content}" is not one of ${JSON.stringify(REACTIONS)}.`, { docs: docs(anchors.create) });
        }
        const { reaction, created } = deps.store.react(comment.id, actor(call), content);
        return { status: created ? 201 : 200, body: deps.payloads.reaction(reaction) };
      },
    },
  ];
}
