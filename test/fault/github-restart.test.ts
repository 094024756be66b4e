/**
 * The GitHub channel under kill -9, with the real `switchboard` process polling the emulator as
 * an App: 250 comments (40 mentions) arrive at once, the gateway is killed in the middle of the
 * batch and started again. Each mention is answered exactly once, with one 👀, and no
 * "Processing…" placeholder is left behind or posted twice.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startGitHubEmulator, type GitHubEmulator } from "../emulators/github/index.ts";
import { tempDir, waitFor } from "../helpers/gateway.ts";
import { killHard, startCli, type RunningGateway } from "../helpers/process.ts";
import { assertEachAnsweredOnce, batchRepos, postBatch } from "../integration/github/batch.ts";
import { botComments } from "../integration/github/setup.ts";

describe("GitHub faults", () => {
  let emulator: GitHubEmulator;
  let gateway: RunningGateway | undefined;
  let configFile: string;

  const answered = () => botComments(emulator).filter((c) => !c.body.startsWith("Processing…")).length;

  before(async () => {
    emulator = await startGitHubEmulator();
    for (const repo of batchRepos) emulator.addRepo(repo.name);
    const dir = tempDir();
    writeFileSync(join(dir, "app.pem"), emulator.privateKey);
    configFile = join(dir, "switchboard.yaml");
    const config = {
      store: "sqlite:./gw.db",
      server: { port: 0 },
      outbox: { baseDelay: "200ms", maxDelay: "1s", maxAttempts: 50 },
      // One turn at a time, slowed per word, so the kill lands while mentions still wait.
      lanes: { concurrency: 1 },
      agents: { helper: { kind: "echo", prefix: "echo: ", delay: "5ms" } },
      channels: {
        github: {
          type: "github",
          access: { policy: "open" },
          app: { id: emulator.appId, installationId: emulator.installationId, privateKeyFile: "app.pem" },
          apiUrl: emulator.url,
          pollInterval: "500ms",
        },
      },
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
  });

  after(async () => {
    if (gateway) await killHard(gateway.child);
    await emulator?.close();
  });

  it("kill -9 twice in a 250-comment batch (while reading, while answering): after the restarts each mention is answered exactly once", async () => {
    gateway = await startCli(["-c", configFile]);
    // Let the first poll record where the repositories start, then the batch lands at once.
    await waitFor(() => emulator.requests.some((r) => r.path.endsWith("/pulls/comments")), { what: "the first poll" });
    const mentions = postBatch(emulator, batchRepos);
    // First kill: as soon as the first 👀 appears, while the poll may still be reading the batch.
    await waitFor(() => emulator.requests.some((r) => r.path.endsWith("/reactions")), { what: "the first reaction", timeoutMs: 20_000 });
    await killHard(gateway.child);
    const reacted = [...mentions.values()].filter((id) => emulator.reactions(id).length > 0).length;
    assert.ok(reacted < 40, `the first kill came early in the batch (${reacted} mentions had their 👀)`);

    // Second kill: in the middle of the answers.
    gateway = await startCli(["-c", configFile]);
    await waitFor(() => answered() >= 8, { what: `the first answers; gateway said:\n${gateway.output().slice(-2000)}`, timeoutMs: 20_000 });
    await killHard(gateway.child);
    const beforeRestart = answered();
    assert.ok(beforeRestart < 40, `the kill came while mentions still waited (${beforeRestart} answered)`);

    gateway = await startCli(["-c", configFile]);
    await waitFor(() => answered() >= 40, { what: `40 answers; gateway said:\n${gateway?.output().slice(-3000)}`, timeoutMs: 40_000 });
    await sleep(2000); // more polls and outbox rounds: nothing more may come
    assertEachAnsweredOnce(emulator, mentions);
  });
});
