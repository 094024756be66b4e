/**
 * The GitHub channel in its default mode, polling the emulator through Octokit as an App
 * installation: a mention is accepted, then gets 👀 and a "Processing…" comment, which is edited
 * into the answer; follow-ups continue the PR's session; what must be ignored is.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Octokit } from "@octokit/rest";
import { createGitHubChannel } from "../../../src/channels/github/index.ts";
import { runChannelContract } from "../../channels/contract.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { answers, botComments, recordingAgent, startGitHubSetup, visible, type GitHubSetup } from "./setup.ts";

runChannelContract("github", (id) => createGitHubChannel({ id, token: "ghp_x", repos: ["acme/widgets"], apiUrl: "http://127.0.0.1:9" }));

describe("GitHub polling: mentions on issues and pull requests", () => {
  let s: GitHubSetup;
  let alice: Octokit;
  const agent = recordingAgent();
  /** Reactions already posted for a mention at the moment its accept committed: must be none. */
  const reactionsAtAccept: number[] = [];

  before(async () => {
    s = await startGitHubSetup({
      config: { defaultAgent: "recorder" },
      setup: (gw) => {
        gw.addAgent("recorder", agent.run);
        gw.use({
          accept: async (ctx, next) => {
            if (ctx.envelope.text.includes("forbidden")) return ctx.reject("not allowed here");
            await next();
            reactionsAtAccept.push(s.emulator.requests.filter((r) => r.path.endsWith("/reactions")).length - reactionCount);
          },
        });
      },
    });
    alice = new Octokit({ baseUrl: s.emulator.url, auth: s.emulator.addUser("alice") });
  });
  after(() => s?.stop());
  let reactionCount = 0;

  it("answers a mention on an issue: 👀, then Processing… edited into the answer, by the App's bot", async () => {
    const issue = s.emulator.addIssue("acme/widgets", { title: "Widgets are slow", body: "Listing takes 3 s.", user: "alice" });
    reactionCount = s.emulator.requests.filter((r) => r.path.endsWith("/reactions")).length;
    const { data: mention } = await alice.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: issue, body: "@switchboard why is this slow?" });

    const [answer] = await answers(s.emulator, "acme/widgets", issue);
    assert.equal(answer!.user, s.emulator.botLogin);
    assert.equal(visible(answer!.body), "ok: why is this slow?");
    assert.equal(answer!.edits.length, 1, "one comment, edited once");
    assert.match(answer!.edits[0]!, /^Processing…/);
    assert.deepEqual(s.emulator.reactions(mention.id), [{ content: "eyes", user: s.emulator.botLogin }]);
    assert.deepEqual(reactionsAtAccept, [0], "no reaction before the accept committed");

    const input = agent.inputs.at(-1)!;
    assert.match(input.text, /\[GitHub issue acme\/widgets#\d+: "Widgets are slow"\]/);
    assert.match(input.text, /Listing takes 3 s\./);
    assert.match(input.text, new RegExp(`URL: .*/acme/widgets/issues/${issue}`));
    assert.equal(input.messages[0]!.sender.name, "alice");
  });

  it("continues the pull request's session for every mention on it", async () => {
    const pr = s.emulator.addIssue("acme/widgets", { title: "Add caching", body: "Caches the list.", user: "alice", pull: true });
    await alice.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: pr, body: "@switchboard review this" });
    await answers(s.emulator, "acme/widgets", pr, 1);
    await alice.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: pr, body: "Thanks! @switchboard and the tests?" });
    const comments = await answers(s.emulator, "acme/widgets", pr, 2);
    assert.deepEqual(comments.map((c) => visible(c.body)), ["ok: review this", "ok: Thanks! and the tests?"]);
    const [first, second] = agent.inputs.slice(-2);
    assert.equal(first!.sessionId, second!.sessionId, "one session per PR");
    assert.match(second!.text, /\[GitHub pull request acme\/widgets#\d+: "Add caching"\]/);
    assert.equal(second!.transcript.length, 2, "the second turn sees the first exchange");
  });

  it("answers a review comment in its review thread", async () => {
    const pr = s.emulator.addIssue("acme/widgets", { title: "Refactor", user: "alice", pull: true });
    const mention = s.emulator.addReviewComment("acme/widgets", pr, { user: "alice", body: "@switchboard is this loop right?", path: "src/list.ts", line: 12 });
    const answer = await waitFor(() => botComments(s.emulator, { repo: "acme/widgets", number: pr }).find((c) => !c.body.startsWith("Processing…")), { what: "the review answer" });
    assert.equal(answer.kind, "review");
    assert.equal(answer.inReplyTo, mention.id);
    assert.equal(visible(answer.body), "ok: is this loop right?");
    assert.match(agent.inputs.at(-1)!.text, /commented on src\/list\.ts/);
    assert.deepEqual(s.emulator.reactions(mention.id), [{ content: "eyes", user: s.emulator.botLogin }]);
  });

  it("ignores mentions in code, quotes and e-mail addresses, and comments by bots or itself", async () => {
    const issue = s.emulator.addIssue("acme/widgets", { title: "Ignored", user: "alice" });
    s.emulator.addUser("ci-robot", { type: "Bot" });
    s.emulator.addUser("dependabot[bot]", { type: "Bot" });
    const ignored = [
      s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "```\n@switchboard deploy\n```" }),
      s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "> @switchboard said so\n\nI disagree." }),
      s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "Type `@switchboard help` to ask." }),
      s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "Mail ops@switchboard.dev" }),
      s.emulator.addComment("acme/widgets", issue, { user: "ci-robot", body: "@switchboard build passed" }),
      s.emulator.addComment("acme/widgets", issue, { user: "dependabot[bot]", body: "@switchboard rebase" }),
      s.emulator.addComment("acme/widgets", issue, { user: s.emulator.botLogin, body: "@switchboard talking to myself" }),
    ];
    const before = agent.inputs.length;
    // A real mention after them: once it is answered, the poll has read past all of them.
    s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "Now really, @switchboard hello" });
    await waitFor(() => botComments(s.emulator, { repo: "acme/widgets", number: issue }).find((c) => c.body.startsWith("ok: Now really, hello")), { what: "the real answer" });
    assert.equal(agent.inputs.length, before + 1, "only the real mention reached the agent");
    for (const comment of ignored) assert.deepEqual(s.emulator.reactions(comment.id), [], `no reaction on: ${comment.body}`);
    assert.equal(botComments(s.emulator, { repo: "acme/widgets", number: issue }).length, 2, "the bot's own comment, and one answer");
  });

  it("posts no reaction and no comment for a mention the gateway did not accept", async () => {
    const issue = s.emulator.addIssue("acme/widgets", { title: "Rejected", user: "alice" });
    const rejected = s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "@switchboard do the forbidden thing" });
    s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "@switchboard fine, something else" });
    const [answer] = await answers(s.emulator, "acme/widgets", issue, 1);
    assert.equal(visible(answer!.body), "ok: fine, something else");
    await sleep(300);
    assert.deepEqual(s.emulator.reactions(rejected.id), []);
    assert.equal(botComments(s.emulator, { repo: "acme/widgets", number: issue }).length, 1);
  });

  it("splits an answer over GitHub's 65,536 characters into several comments", async () => {
    const issue = s.emulator.addIssue("acme/widgets", { title: "Long", user: "alice" });
    s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "@switchboard give me a long answer" });
    const comments = await answers(s.emulator, "acme/widgets", issue, 4, 20_000);
    assert.equal(comments.length, 4, "198,889 characters in four comments");
    assert.ok(comments.every((c) => c.body.length <= 65_536));
    assert.match(comments[0]!.edits[0]!, /^Processing…/, "the first part replaced the placeholder");
    const joined = comments.map((c) => visible(c.body)).join(" ");
    assert.equal(joined.split(/\s+/).length, 30_000, "no word lost or cut in two");
    assert.ok(joined.endsWith("w29999"));
  });

  it("edits nothing and posts nothing more once everything is answered", async () => {
    const total = botComments(s.emulator).length;
    const requests = s.emulator.requests.filter((r) => r.method !== "GET").length;
    await sleep(600); // four more polls
    assert.equal(botComments(s.emulator).length, total);
    assert.equal(s.emulator.requests.filter((r) => r.method !== "GET").length, requests, "no writes while idle");
  });
});
