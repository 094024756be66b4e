/**
 * GitHub's rate limits, met through Octokit against the emulator: polling pauses before the
 * budget runs out, an exhausted budget (403) and secondary limits (429/403 with Retry-After) are
 * waited out, a 5xx is retried; every mention is still answered exactly once.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { answers, botComments, request, startGitHubSetup, type GitHubSetup } from "./setup.ts";

describe("GitHub rate limits", () => {
  let s: GitHubSetup;
  before(async () => {
    s = await startGitHubSetup({ channel: { rateLimitReserve: 5 }, config: { agents: { helper: { kind: "echo", prefix: "echo: " } } } });
    s.emulator.addUser("alice");
  });
  after(() => s?.stop());
  afterEach(() => s.emulator.setRateLimit({ remaining: 5000 }));

  /** `count` mentions on a fresh issue; resolves with the issue number. */
  function mentions(title: string, count: number): number {
    const issue = s.emulator.addIssue("acme/widgets", { title, user: "alice" });
    for (let i = 1; i <= count; i++) s.emulator.addComment("acme/widgets", issue, { user: "alice", body: `@switchboard question ${i}` });
    return issue;
  }

  function served403or429(since: number): number {
    return s.emulator.requests.slice(since).filter((r) => r.identity === s.emulator.botLogin && (r.status === 403 || r.status === 429)).length;
  }

  it("pauses polling at the reserve instead of running out, and resumes after the reset", async () => {
    const mark = s.emulator.requests.length;
    s.emulator.setRateLimit({ remaining: 8, resetInMs: 2500 });
    const started = Date.now();
    const issue = mentions("Near the limit", 4);
    const comments = await answers(s.emulator, "acme/widgets", issue, 4, 20_000);
    assert.deepEqual(comments.map((c) => request(c.body)).sort(), [1, 2, 3, 4].map((i) => `question ${i}`));
    assert.equal(served403or429(mark), 0, "the budget was never overrun");
    assert.ok(Date.now() - started >= 1500, "the channel waited for the reset");
  });

  it("waits out an exhausted budget (403) and skips nothing", async () => {
    const mark = s.emulator.requests.length;
    s.emulator.setRateLimit({ remaining: 0, resetInMs: 2000 });
    const issue = mentions("Exhausted", 5);
    const comments = await answers(s.emulator, "acme/widgets", issue, 5, 20_000);
    assert.equal(comments.length, 5);
    assert.ok(served403or429(mark) >= 1, "GitHub said no at least once");
  });

  it("waits out secondary limits (429 and 403 with Retry-After) and server errors", async () => {
    const mark = s.emulator.requests.length;
    s.emulator.failNext(2, { status: 429, retryAfter: 1 });
    s.emulator.failNext(1, { status: 403, retryAfter: 1, path: /\/reactions$/ });
    s.emulator.failNext(2, { status: 502, method: "PATCH" });
    const issue = mentions("Secondary", 3);
    const comments = await answers(s.emulator, "acme/widgets", issue, 3, 30_000);
    assert.deepEqual(comments.map((c) => request(c.body)).sort(), [1, 2, 3].map((i) => `question ${i}`));
    assert.ok(served403or429(mark) >= 2);
    await sleep(500);
    assert.equal(botComments(s.emulator, { repo: "acme/widgets", number: issue }).length, 3, "nothing posted twice");
  });
});
