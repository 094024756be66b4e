/**
 * Pull requests and their review comments (comments on lines of the diff): get, list, create,
 * reply in a thread, edit, react. A reply joins the thread of the comment it answers, so its
 * `in_reply_to_id` is always the thread's first comment, as on GitHub.
 */
import { invalidRequest, notFound, type Route } from "./http.ts";
import { replyPlacement, type StoredComment } from "./repos.ts";
import { actor, commentBody, commentFor, docs, issueFor, listComments, repoFor, singleCommentRoutes, type RouteDeps } from "./routes-common.ts";

export function pullRoutes(deps: RouteDeps): Route[] {
  const { store, payloads } = deps;
  const create = docs("pulls/comments#create-a-review-comment-for-a-pull-request");
  const reply = docs("pulls/comments#create-a-reply-for-a-review-comment");
  const replyTo = (parent: StoredComment, base: Pick<StoredComment, "kind" | "repo" | "number" | "user" | "body" | "viaApp">) => store.addComment({ ...base, ...replyPlacement(parent) });
  const created = (comment: StoredComment) => {
    const json = payloads.comment(comment);
    return { status: 201, body: json, headers: { location: String(json.url) } };
  };
  return [
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/pulls/{pull_number}",
      docs: docs("pulls/pulls#get-a-pull-request"),
      auth: "token",
      handle: (call) => ({ status: 200, body: payloads.pull(issueFor(deps, repoFor(deps, call), call.params.pull_number, true)) }),
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/pulls/comments",
      docs: docs("pulls/comments#list-review-comments-in-a-repository"),
      auth: "token",
      handle: (call) => listComments(deps, call, repoFor(deps, call), "review"),
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
      docs: docs("pulls/comments#list-review-comments-on-a-pull-request"),
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        return listComments(deps, call, repo, "review", issueFor(deps, repo, call.params.pull_number, true).number);
      },
    },
    {
      method: "POST",
      path: "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
      docs: create,
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        const pull = issueFor(deps, repo, call.params.pull_number, true);
        const body = commentBody(call, create, "PullRequestReviewComment");
        const inReplyTo = call.body.in_reply_to;
        const base = { kind: "review" as const, repo: repo.fullName, number: pull.number, user: actor(call), body, viaApp: call.identity.kind === "installation" };
        if (typeof inReplyTo === "number") return created(replyTo(commentFor(deps, repo, "review", String(inReplyTo)), base));
        const missing = ["commit_id", "path"].filter((name) => typeof call.body[name] !== "string" || call.body[name] === "");
        if (missing.length) throw invalidRequest(create, missing);
        const line = typeof call.body.line === "number" ? call.body.line : typeof call.body.position === "number" ? call.body.position : 1;
        return created(store.addComment({ ...base, path: String(call.body.path), line, commitId: String(call.body.commit_id) }));
      },
    },
    {
      method: "POST",
      path: "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
      docs: reply,
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        const pull = issueFor(deps, repo, call.params.pull_number, true);
        const parent = commentFor(deps, repo, "review", call.params.comment_id);
        if (parent.number !== pull.number) throw notFound();
        return created(replyTo(parent, { kind: "review", repo: repo.fullName, number: pull.number, user: actor(call), body: commentBody(call, reply, "PullRequestReviewComment"), viaApp: call.identity.kind === "installation" }));
      },
    },
    ...singleCommentRoutes(deps, "/repos/{owner}/{repo}/pulls/comments", "review", "PullRequestReviewComment", {
      get: "pulls/comments#get-a-review-comment-for-a-pull-request",
      update: "pulls/comments#update-a-review-comment-for-a-pull-request",
      listReactions: "reactions/reactions#list-reactions-for-a-pull-request-review-comment",
      createReaction: "reactions/reactions#create-reaction-for-a-pull-request-review-comment",
    }),
  ];
}
