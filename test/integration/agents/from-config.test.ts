/**
 * Every agent kind configured in switchboard.yaml, run by the real `switchboard` command against
 * the protocol fakes: the wiring from config to a working agent, end to end.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, postJson } from "../../helpers/gateway.ts";
import { runCli, startCli, killHard, type RunningGateway } from "../../helpers/process.ts";
import { startOpenAiFake } from "../../emulators/openai/server.ts";
import { startFakeAnthropic } from "../../emulators/anthropic/server.ts";
import { startA2aEmulator } from "../../emulators/a2a/server.ts";
import { startHttpAgentEmulator } from "../../emulators/http-agent/server.ts";
import { installFakeClaude } from "../../emulators/command/install.ts";

describe("every agent kind from switchboard.yaml", () => {
  const dir = tempDir();
  const configFile = join(dir, "switchboard.yaml");
  const closers: Array<() => unknown> = [];
  let gateway: RunningGateway;

  before(async () => {
    const openai = await startOpenAiFake();
    const anthropic = await startFakeAnthropic({ apiKey: "sk-ant-test-key" });
    const a2a = await startA2aEmulator();
    const httpAgent = await startHttpAgentEmulator();
    const claude = installFakeClaude();
    closers.push(() => openai.close(), () => anthropic.close(), () => a2a.close(), () => httpAgent.close(), () => claude.remove());
    const yaml = {
      store: "sqlite:./gw.db",
      server: { port: 0 },
      defaultAgent: "gpt",
      agents: {
        gpt: { kind: "openai", baseUrl: openai.url, model: "gpt-test", maxRetries: 0 },
        claude: { kind: "anthropic", baseUrl: anthropic.url, apiKey: "${ANTHROPIC_KEY}", model: "claude-sonnet-4-6", maxRetries: 0 },
        remote: { kind: "a2a", url: a2a.url },
        mine: { kind: "http", url: httpAgent.url },
        coder: { kind: "command", preset: "claude", command: claude.command, env: claude.env, cwd: dir },
      },
      channels: { api: { type: "http", auth: "none" } },
    };
    writeFileSync(configFile, JSON.stringify(yaml, null, 2)); // JSON is YAML
    gateway = await startCli(["-c", configFile], { env: { ANTHROPIC_KEY: "sk-ant-test-key" } });
  });

  after(async () => {
    await killHard(gateway.child);
    for (const close of closers) await close();
  });

  it("switchboard check loads every agent", async () => {
    const result = await runCli(["check", "-c", configFile], { env: { ANTHROPIC_KEY: "sk-ant-test-key" } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /agents:\s+gpt, claude, remote, mine, coder/);
  });

  for (const agent of ["gpt", "claude", "remote", "mine", "coder"]) {
    it(`the ${agent} agent answers through the gateway`, async () => {
      const res = await postJson(`${gateway.url}/v1/messages`, { user: `user-${agent}`, text: "ping from config", agent });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, "done", JSON.stringify(res.body));
      assert.equal(res.body.agent, agent);
      assert.match(res.body.reply, /ping from config/, `${agent} replied: ${res.body.reply}`);
    });
  }
});
