/**
 * A busy poll interval: 250 new comments across 3 repositories, 40 of them mentions, all there
 * before the next poll. Every page is read, and each mention is answered exactly once, with one
 * 👀 and its placeholder edited into the answer.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../../helpers/gateway.ts";
import { assertEachAnsweredOnce, batchRepos, postBatch } from "./batch.ts";
import { botComments, startGitHubSetup, type GitHubSetup } from "./setup.ts";

describe("GitHub: 250 comments in one poll interval", () => {
  let s: GitHubSetup;
  before(async () => {
    s = await startGitHubSetup({
      repos: batchRepos.map((r) => r.name),
      channel: { pollIntervalMs: 2000 },
      config: { agents: { helper: { kind: "echo", prefix: "echo: " } } },
    });
  });
  after(() => s?.stop());

  it("answers each of the 40 mentions exactly once, reading every page", async () => {
    const mentions = postBatch(s.emulator, batchRepos);
    assert.equal(mentions.size, 40);
    await waitFor(() => botComments(s.emulator).filter((c) => !c.body.startsWith("Processing…")).length >= 40, { what: "40 answers", timeoutMs: 30_000 });
    await sleep(2500); // another poll: nothing more may come
    assertEachAnsweredOnce(s.emulator, mentions);
    // 150 comments on acme/api are two pages of 100: the second is fetched through the Link header.
    assert.ok(s.emulator.requests.some((r) => r.method === "GET" && /^\/repositories\/\d+\/issues\/comments$/.test(r.path)), "a second page was read");
  });
});
