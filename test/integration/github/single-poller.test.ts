/**
 * Two gateways on one store, both with the same GitHub channel in poll mode: only the one
 * holding the poller lease polls, the other takes over when it stops, and every mention is
 * answered exactly once throughout.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startGitHubEmulator, type GitHubEmulator } from "../../emulators/github/index.ts";
import { tempDir, waitFor } from "../../helpers/gateway.ts";
import { botComments, request, startGitHubSetup, type GitHubSetup } from "./setup.ts";

describe("GitHub: one poller among gateways sharing a store", () => {
  let emulator: GitHubEmulator;
  let dir: string;
  const gateways: GitHubSetup[] = [];

  before(async () => {
    emulator = await startGitHubEmulator();
    emulator.addRepo("acme/widgets");
    emulator.addUser("alice");
    dir = tempDir();
    for (let i = 0; i < 2; i++) {
      gateways.push(
        await startGitHubSetup({
          reuse: emulator,
          repos: [],
          channel: { pollIntervalMs: 100, pollerLeaseTtlMs: 1000 },
          config: { store: `sqlite:${join(dir, "shared.db")}`, agents: { helper: { kind: "echo", prefix: "echo: " } } },
        }),
      );
    }
  });
  after(async () => {
    for (const g of gateways) await g.stop().catch(() => undefined);
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const answered = () => botComments(emulator).filter((c) => !c.body.startsWith("Processing…"));

  it("polls from exactly one gateway, hands over when it stops, and answers each mention once", async () => {
    await waitFor(() => gateways.some((g) => g.channel.polling), { what: "a poller" });
    assert.equal(gateways.filter((g) => g.channel.polling).length, 1, "one gateway polls");
    const issue = emulator.addIssue("acme/widgets", { title: "Shared", user: "alice" });
    for (let i = 0; i < 5; i++) emulator.addComment("acme/widgets", issue, { user: "alice", body: `@switchboard before ${i}` });
    await waitFor(() => answered().length >= 5, { what: "five answers" });

    const poller = gateways.find((g) => g.channel.polling)!;
    const standby = gateways.find((g) => g !== poller)!;
    assert.equal(standby.channel.polling, false);
    await poller.stop();
    gateways.splice(gateways.indexOf(poller), 1);
    for (let i = 0; i < 5; i++) emulator.addComment("acme/widgets", issue, { user: "alice", body: `@switchboard after ${i}` });
    await waitFor(() => standby.channel.polling, { what: "the standby to take over" });
    await waitFor(() => answered().length >= 10, { what: "ten answers" });
    await new Promise((resolve) => setTimeout(resolve, 500));

    const questions = answered().map((c) => request(c.body)).sort();
    assert.deepEqual(questions, [...[0, 1, 2, 3, 4].map((i) => `after ${i}`), ...[0, 1, 2, 3, 4].map((i) => `before ${i}`)]);
    assert.equal(botComments(emulator).length, 10, "no placeholder posted twice or left behind");
  });
});
