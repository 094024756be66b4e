/**
 * Token auth: a machine user's personal access token instead of an App. The mention name is the
 * token user's login, answers come from that user, and its own comments are never answered.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../../helpers/gateway.ts";
import { request, startGitHubSetup, visible, type GitHubSetup } from "./setup.ts";

describe("GitHub with a token", () => {
  let s: GitHubSetup;
  before(async () => {
    const { startGitHubEmulator } = await import("../../emulators/github/index.ts");
    const emulator = await startGitHubEmulator();
    emulator.addRepo("acme/widgets");
    emulator.addRepo("acme/other");
    const token = emulator.addUser("review-bot");
    s = await startGitHubSetup({
      reuse: emulator,
      repos: [],
      channel: { app: undefined, token, repos: ["acme/widgets"] },
      config: { agents: { helper: { kind: "echo", prefix: "echo: " } } },
    });
    s.emulator.addUser("alice");
  });
  after(async () => {
    await s?.stop();
    await s?.emulator.close();
  });

  it("answers @<login> as that user, only in the listed repositories", async () => {
    const issue = s.emulator.addIssue("acme/widgets", { title: "Token", user: "alice" });
    const elsewhere = s.emulator.addIssue("acme/other", { title: "Not watched", user: "alice" });
    s.emulator.addComment("acme/other", elsewhere, { user: "alice", body: "@review-bot over here?" });
    s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "@review-bot hello" });
    const answer = await waitFor(() => s.emulator.comments({ repo: "acme/widgets", number: issue, user: "review-bot" }).find((c) => !c.body.startsWith("Processing…")), { what: "the answer" });
    assert.match(visible(answer.body), /^echo: \[GitHub issue acme\/widgets#\d+: "Token"\]/);
    assert.equal(request(answer.body), "hello");
    await sleep(400);
    assert.deepEqual(s.emulator.comments({ repo: "acme/other", user: "review-bot" }), [], "acme/other is not watched");
    assert.equal(s.emulator.comments({ repo: "acme/widgets", number: issue, user: "review-bot" }).length, 1, "its own answer was not answered");
  });
});
