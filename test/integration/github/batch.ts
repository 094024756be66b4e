/** The busy poll interval of the batch and restart tests: 250 comments, 40 mentions, 3 repositories. */
import assert from "node:assert/strict";
import type { GitHubEmulator } from "../../emulators/github/index.ts";
import { botComments, request } from "./setup.ts";

/** Posts the batch: per repository a share of the comments, every so often a mention. Returns the mentions' comment ids by question. */
export function postBatch(emulator: GitHubEmulator, repos: Array<{ name: string; comments: number; mentions: number }>): Map<string, number> {
  const mentions = new Map<string, number>();
  emulator.addUser("alice");
  emulator.addUser("bob");
  for (const repo of repos) {
    const issues = Array.from({ length: 4 }, (_, i) => emulator.addIssue(repo.name, { title: `Issue ${i}`, user: "alice", pull: i % 2 === 1 }));
    const every = Math.floor(repo.comments / repo.mentions);
    for (let n = 0; n < repo.comments; n++) {
      const issue = issues[n % issues.length]!;
      const user = n % 3 === 0 ? "bob" : "alice";
      if (n % every === 0 && mentions.size < [...repos].slice(0, repos.indexOf(repo) + 1).reduce((sum, r) => sum + r.mentions, 0)) {
        const question = `${repo.name} question ${n}`;
        mentions.set(question, emulator.addComment(repo.name, issue, { user, body: `@switchboard ${question}` }).id);
      } else {
        emulator.addComment(repo.name, issue, { user, body: `Chatter ${n} about @someone-else and switchboard.` });
      }
    }
  }
  return mentions;
}

export const batchRepos = [
  { name: "acme/api", comments: 150, mentions: 20 },
  { name: "acme/web", comments: 60, mentions: 12 },
  { name: "acme/docs", comments: 40, mentions: 8 },
];

/** Every mention has exactly one answer, one 👀, and no placeholder is left. */
export function assertEachAnsweredOnce(emulator: GitHubEmulator, mentions: Map<string, number>): void {
  const answers = botComments(emulator);
  assert.equal(answers.filter((c) => c.body.startsWith("Processing…")).length, 0, "no placeholder left");
  const byQuestion = new Map<string, number>();
  for (const answer of answers) byQuestion.set(request(answer.body), (byQuestion.get(request(answer.body)) ?? 0) + 1);
  for (const [question, id] of mentions) {
    assert.equal(byQuestion.get(question), 1, `one answer to "${question}"`);
    assert.deepEqual(emulator.reactions(id), [{ content: "eyes", user: emulator.botLogin }], `one 👀 on "${question}"`);
  }
  assert.equal(answers.length, mentions.size, "no other comment by the bot");
}
