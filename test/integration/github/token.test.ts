/**
 * Token auth: a machine user's personal access token instead of an App. The mention name is the
 * token user's login, answers come from that user, and its own comments are never answered.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createGitHubChannel, type GitHubChannelOptions } from "../../../src/channels/github/index.ts";
import { tempDir, waitFor } from "../../helpers/gateway.ts";
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

describe("GitHub credentials GitHub refuses", () => {
  it("keep the channel from starting, with a log line naming the keys to check and no secret in any line", async () => {
    const { startGitHubEmulator } = await import("../../emulators/github/index.ts");
    const { createGateway } = await import("../../../src/switchboard.ts");
    const { createLogger } = await import("../../../src/core/log.ts");
    const { generateKeyPairSync } = await import("node:crypto");
    const emulator = await startGitHubEmulator();
    emulator.addRepo("acme/widgets");
    const wrongKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const token = "ghp_notARealTokenAtAll0123456789abcdef";
    const cases: Array<{ auth: Partial<GitHubChannelOptions>; what: RegExp }> = [
      { auth: { token, repos: ["acme/widgets"] }, what: /GitHub refused the credentials of channel \\"github\\": check channels\.github\.token/ },
      { auth: { app: { id: emulator.appId, installationId: emulator.installationId, privateKey: wrongKey } }, what: /check channels\.github\.app\.id and app\.privateKey/ },
      { auth: { app: { id: emulator.appId, installationId: 999, privateKey: emulator.privateKey } }, what: /the GitHub App has no installation 999: check channels\.github\.app\.installationId/ },
    ];
    const dir = tempDir();
    try {
      for (const [n, { auth, what }] of cases.entries()) {
        const lines: string[] = [];
        const gw = createGateway({
          config: { store: `sqlite:${join(dir, `${n}.db`)}`, server: { port: 0 }, agents: { helper: { kind: "echo" } } },
          log: createLogger({ level: "debug", write: (line) => lines.push(line) }),
        });
        gw.addChannel(createGitHubChannel({ id: "github", apiUrl: emulator.url, ...auth }));
        try {
          await gw.start();
          const failed = lines.find((line) => line.includes("channel failed to start"));
          assert.ok(failed, lines.join("\n"));
          assert.match(failed, what);
        } finally {
          await gw.stop();
        }
        const log = lines.join("\n");
        assert.doesNotMatch(log, /ghp_notARealTokenAtAll/);
        assert.doesNotMatch(log, /PRIVATE KEY|MII[A-Za-z0-9+/]{20}/);
      }
      // Neither channel polled after its refusal.
      assert.equal(emulator.requests.filter((r) => r.path.includes("/comments")).length, 0);
    } finally {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
