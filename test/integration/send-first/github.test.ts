/**
 * Sending first on GitHub: `owner/repo#123` (or the issue's URL) in one of the channel's
 * repositories becomes a new comment by the App's bot on the emulator, without a "Processing…"
 * placeholder; other repositories and missing issues are refused; and a mention in reply
 * continues the issue's session, worked out from the address.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/rest";
import { answers, botComments, recordingAgent, startGitHubSetup, visible, type GitHubSetup } from "../github/setup.ts";
import { assertRefused, sendFirst, sessionOf, threadKeyFor } from "./helpers.ts";

describe("GitHub: sending first", () => {
  let s: GitHubSetup;
  let alice: Octokit;
  let issue: number;
  let pull: number;
  const agent = recordingAgent();

  before(async () => {
    s = await startGitHubSetup({
      repos: ["acme/widgets", "acme/secret"],
      channel: { repos: ["acme/widgets"] },
      config: { defaultAgent: "recorder" },
      setup: (gw) => gw.addAgent("recorder", agent.run),
    });
    alice = new Octokit({ baseUrl: s.emulator.url, auth: s.emulator.addUser("alice") });
    issue = s.emulator.addIssue("acme/widgets", { title: "Nightly build", user: "alice" });
    pull = s.emulator.addIssue("acme/widgets", { title: "Faster listing", user: "alice", pull: true });
    s.emulator.addIssue("acme/secret", { title: "Not for this channel", user: "alice" });
  });
  after(() => s?.stop());

  it("owner/repo#123 becomes a comment by the App's bot on that issue, with no placeholder", async () => {
    const to = await s.channel.resolveTarget(`acme/widgets#${issue}`);
    assert.equal(to.conversation, `acme/widgets#${issue}`);
    const sent = await sendFirst(s.channel, to, "The nightly build **failed**.");
    const comments = botComments(s.emulator, { repo: "acme/widgets", number: issue });
    assert.equal(comments.length, 1);
    assert.equal(String(comments[0]!.id), sent.platformId);
    assert.equal(visible(comments[0]!.body), "The nightly build **failed**.");
    assert.equal(comments[0]!.edits.length, 0, "posted as is: no Processing… first");
  });

  it("a pull request by its URL, and the repository's name in any case", async () => {
    const byUrl = await s.channel.resolveTarget(`https://github.com/acme/widgets/pull/${pull}`);
    assert.equal(byUrl.conversation, `acme/widgets#${pull}`);
    assert.equal((await s.channel.resolveTarget(`ACME/Widgets#${pull}`)).conversation, `acme/widgets#${pull}`, "the configured spelling, as mentions use");
    await sendFirst(s.channel, byUrl, "Benchmarks are in.");
    assert.equal(visible(botComments(s.emulator, { repo: "acme/widgets", number: pull })[0]!.body), "Benchmarks are in.");
  });

  it("a bad target is refused: not an issue, another repository, a missing issue", async () => {
    await assertRefused(s.channel, "acme/widgets", 400, /not a GitHub issue; write owner\/repo#123/);
    await assertRefused(s.channel, "#12", 400, /owner\/repo#123/);
    await assertRefused(s.channel, "acme/secret#3", 422, /acme\/secret is not one of channel "github"'s repositories \(acme\/widgets\)/);
    await assertRefused(s.channel, "acme/widgets#999", 404, /no issue or pull request acme\/widgets#999/);
    assert.equal(botComments(s.emulator, { repo: "acme/secret" }).length, 0);
  });

  it("a mention in reply to the first comment continues the issue's session", async () => {
    const to = await s.channel.resolveTarget(`acme/widgets#${issue}`);
    const { data: mention } = await alice.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: issue, body: "@switchboard which step failed?" });
    const session = await sessionOf(s.t, "github", `issue:${mention.id}`);
    assert.deepEqual(session.threadKey, threadKeyFor("github", to, "group", "recorder"));
    const all = await answers(s.emulator, "acme/widgets", issue, 2);
    assert.equal(visible(all[1]!.body), "ok: which step failed?");
  });
});
