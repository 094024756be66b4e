import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toComment, type GitHubComment } from "../../../src/channels/github/comment.ts";
import { ignoreReason } from "../../../src/channels/github/inbound.ts";
import { promptText } from "../../../src/channels/github/context.ts";
import { settleNote, unansweredMentions } from "../../../src/channels/github/settle.ts";
import { processingMarker, withMarker } from "../../../src/channels/github/markers.ts";

const raw = {
  id: 7,
  body: "@switchboard review this",
  user: { login: "alice", id: 11, type: "User" },
  html_url: "https://github.com/acme/widgets/pull/3#issuecomment-7",
  created_at: "2026-11-21T10:00:00Z",
  updated_at: "2026-11-21T10:00:00Z",
  issue_url: "https://api.github.com/repos/acme/widgets/issues/3",
};
const self = { login: "switchboard[bot]", appId: 1001, defaultMention: "switchboard" };

function comment(overrides: Partial<GitHubComment> = {}): GitHubComment {
  return { ...toComment("issue", "acme/widgets", raw)!, ...overrides };
}

describe("GitHub comments", () => {
  it("are read from REST or webhook shapes, with the issue number from their URL", () => {
    assert.equal(comment().number, 3);
    const review = toComment("review", "acme/widgets", { ...raw, issue_url: undefined, pull_request_url: "https://api.github.com/repos/acme/widgets/pulls/9", path: "src/a.ts", diff_hunk: "@@ -1 +1 @@" });
    assert.equal(review?.number, 9);
    assert.equal(review?.path, "src/a.ts");
    assert.equal(toComment("issue", "acme/widgets", { ...raw, issue_url: undefined }), undefined);
  });

  it("by bots, by our App or our login, or carrying our marker, are never answered", () => {
    assert.equal(ignoreReason(comment(), self), undefined);
    assert.equal(ignoreReason(comment({ user: { login: "dependabot[bot]", id: 2, type: "Bot" } }), self), "a bot's comment");
    assert.equal(ignoreReason(comment({ user: { login: "ci-robot", id: 3, type: "Bot" } }), self), "a bot's comment");
    assert.equal(ignoreReason(comment({ user: { login: "alice", id: 11, type: "User" }, viaAppId: 1001 }), self), "our own comment");
    assert.equal(ignoreReason(comment({ user: { login: "machine", id: 4, type: "User" } }), { login: "machine", defaultMention: "machine" }), "our own comment");
    assert.equal(ignoreReason(comment({ body: withMarker("Processing…", processingMarker("issue:1")) }), undefined), "our own comment");
    // Another App acting for a person is that person.
    assert.equal(ignoreReason(comment({ viaAppId: 42 }), self), undefined);
  });

  it("reach the agent with the issue's title, body and URL, and the request", () => {
    const text = promptText(comment(), "review this", { kind: "pull request", title: "Add caching", body: "Caches the widget list.", url: "https://github.com/acme/widgets/pull/3" });
    assert.match(text, /^\[GitHub pull request acme\/widgets#3: "Add caching"\]\nURL: https:\/\/github.com\/acme\/widgets\/pull\/3\n\nCaches the widget list\.\n\n@alice commented/);
    assert.match(text, /review this$/);
    const long = promptText(comment(), "x", { kind: "issue", title: "t", body: "b".repeat(10_000), url: "u" });
    assert.ok(long.length < 5000 && long.includes("[… cut; the rest is at the URL]"));
  });
});

describe("placeholders a turn does not answer", () => {
  const completed = (keys: string[], status: "done" | "failed" | "interrupted", reply: string) => ({ type: "turn.completed" as const, turnId: "t", sessionId: "s", messageKeys: keys, status, reply });

  it("are the collected mentions before the last, when the answer goes to the last", () => {
    assert.deepEqual(unansweredMentions("gh", completed(["gh:issue:1", "gh:issue:2"], "done", "answer")), [{ eventId: "issue:1", answeredElsewhere: true }]);
    assert.deepEqual(unansweredMentions("gh", completed(["gh:issue:1"], "done", "answer")), []);
  });

  it("are all of them when the turn was interrupted or had nothing to say", () => {
    assert.deepEqual(unansweredMentions("gh", completed(["gh:issue:1"], "interrupted", "partial")), [{ eventId: "issue:1", answeredElsewhere: true }]);
    assert.deepEqual(unansweredMentions("gh", completed(["gh:issue:1"], "done", "  ")), [{ eventId: "issue:1", answeredElsewhere: false }]);
    assert.match(settleNote(false, "done"), /nothing to post/);
    assert.match(settleNote(true, "interrupted"), /Interrupted/);
  });

  it("belong to this channel only", () => {
    assert.deepEqual(unansweredMentions("gh", completed(["api:1", "gh2:issue:1"], "interrupted", "")), []);
  });
});
