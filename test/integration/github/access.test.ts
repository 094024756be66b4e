/**
 * Who may mention the agent on GitHub, from config: an allowlist by email, through the channel's
 * `userMap` (login → email) or the email on a user's public profile (`publicEmails`). A listed person's mention is answered; anyone else's never reaches
 * the agent and gets one polite reply.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Octokit } from "@octokit/rest";
import { startGitHubEmulator, type GitHubEmulator } from "../../emulators/github/index.ts";
import { startGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";
import { botComments } from "./setup.ts";
import { accessReplies } from "../../../src/core/access/authorize.ts";

describe("GitHub access by email, through userMap or the public profile", () => {
  let emulator: GitHubEmulator;
  let t: TestGateway;
  before(async () => {
    emulator = await startGitHubEmulator();
    emulator.addRepo("acme/widgets");
    t = await startGateway({
      agents: { helper: { kind: "echo", prefix: "echo: " } },
      channels: {
        api: { type: "http" },
        github: {
          type: "github",
          app: { id: emulator.appId, installationId: emulator.installationId, privateKey: emulator.privateKey },
          apiUrl: emulator.url,
          pollInterval: "300ms",
          access: { policy: "allowlist", allow: ["carol@acme.example", "dana@acme.example"] },
          userMap: { "Carol-GH": "carol@acme.example" },
          publicEmails: true,
        },
      },
    });
    await waitFor(() => emulator.requests.some((r) => r.path.endsWith("/pulls/comments")), { what: "the first poll" });
  });
  after(async () => {
    await t?.stop();
    await emulator?.close();
  });

  it("answers the listed person and turns the other away, once", async () => {
    const carol = new Octokit({ baseUrl: emulator.url, auth: emulator.addUser("carol-gh") });
    const mallory = new Octokit({ baseUrl: emulator.url, auth: emulator.addUser("mallory") });
    const dana = new Octokit({ baseUrl: emulator.url, auth: emulator.addUser("dana", { email: "dana@acme.example" }) });
    const issue = emulator.addIssue("acme/widgets", { title: "Slow list", user: "carol-gh" });
    await carol.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: issue, body: "@switchboard ping from carol" });
    await mallory.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: issue, body: "@switchboard ping from mallory" });
    await dana.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: issue, body: "@switchboard ping from dana" });
    await mallory.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: issue, body: "@switchboard again from mallory" });

    const bodies = () => botComments(emulator, { repo: "acme/widgets", number: issue }).map((c) => c.body);
    const answered = () => bodies().some((b) => b.startsWith("echo:") && b.includes("ping from carol"));
    const danaAnswered = () => bodies().some((b) => b.startsWith("echo:") && b.includes("ping from dana"));
    await waitFor(() => answered() && danaAnswered() && bodies().some((b) => b.includes(accessReplies.denied)), { what: "the answers and the refusal", timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(bodies().filter((b) => b.includes(accessReplies.denied)).length, 1, "one polite reply, not one per mention");
    assert.ok(!bodies().some((b) => b.startsWith("echo:") && b.includes("mallory")), "mallory's mentions never reached the agent");
  });
});
