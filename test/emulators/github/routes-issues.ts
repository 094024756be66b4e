/**
 * Repositories, issues and the conversation comments on issues and pull requests (a pull
 * request's conversation is its issue's comments): get, list, create, edit, react.
 */
import type { Route } from "./http.ts";
import { actor, commentBody, docs, issueFor, listComments, repoFor, singleCommentRoutes, type RouteDeps } from "./routes-common.ts";

export function issueRoutes(deps: RouteDeps): Route[] {
  const { store, payloads } = deps;
  const create = docs("issues/comments#create-an-issue-comment");
  return [
    {
      method: "GET",
      path: "/repos/{owner}/{repo}",
      docs: docs("repos/repos#get-a-repository"),
      auth: "token",
      handle: (call) => ({ status: 200, body: payloads.repo(repoFor(deps, call)) }),
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/issues/{issue_number}",
      docs: docs("issues/issues#get-an-issue"),
      auth: "token",
      handle: (call) => ({ status: 200, body: payloads.issue(issueFor(deps, repoFor(deps, call), call.params.issue_number)) }),
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/issues/comments",
      docs: docs("issues/comments#list-issue-comments-for-a-repository"),
      auth: "token",
      handle: (call) => listComments(deps, call, repoFor(deps, call), "issue"),
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      docs: docs("issues/comments#list-issue-comments"),
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        return listComments(deps, call, repo, "issue", issueFor(deps, repo, call.params.issue_number).number);
      },
    },
    {
      method: "POST",
      path: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      docs: create,
      auth: "token",
      handle(call) {
        const repo = repoFor(deps, call);
        const issue = issueFor(deps, repo, call.params.issue_number);
        const body = commentBody(call, create, "IssueComment");
        const comment = store.addComment({ kind: "issue", repo: repo.fullName, number: issue.number, user: actor(call), body, viaApp: call.identity.kind === "installation" });
        const json = payloads.comment(comment);
        return { status: 201, body: json, headers: { location: String(json.url) } };
      },
    },
    ...singleCommentRoutes(deps, "/repos/{owner}/{repo}/issues/comments", "issue", "IssueComment", {
      get: "issues/comments#get-an-issue-comment",
      update: "issues/comments#update-an-issue-comment",
      listReactions: "reactions/reactions#list-reactions-for-an-issue-comment",
      createReaction: "reactions/reactions#create-reaction-for-an-issue-comment",
    }),
  ];
}
