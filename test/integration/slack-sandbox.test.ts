/**
 * The README's "try Slack without a workspace" path, end to end with the real commands:
 * `switchboard emulate slack`, then `switchboard start` with a Socket Mode Slack channel pointed
 * at it, then a user message injected into the emulator and the bot's reply read back.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, waitFor } from "../helpers/gateway.ts";
import { binPath, killHard, startCli, type RunningGateway } from "../helpers/process.ts";

function startEmulator(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [binPath, "emulate", "slack", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr!.on("data", (d) => (out += d));
    child.once("exit", (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
  });
}

describe("trying the Slack channel against the emulator", () => {
  let emulator: { child: ChildProcess; url: string };
  let gateway: RunningGateway;
  before(async () => {
    emulator = await startEmulator();
    const dir = tempDir();
    const config = join(dir, "switchboard.yaml");
    writeFileSync(
      config,
      [
        "store: sqlite:./gw.db",
        "server: { port: 0 }",
        "agents: { helper: { kind: echo, prefix: 'echo: ' } }",
        "channels:",
        "  slack:",
        "    type: slack",
        "    access: { policy: open }",
        "    mode: socket",
        "    botToken: xoxb-emulator-bot-token",
        "    appToken: xapp-emulator-app-token",
        `    apiUrl: ${emulator.url}/api/`,
      ].join("\n"),
    );
    gateway = await startCli(["-c", config]);
  });
  after(async () => {
    if (gateway) await killHard(gateway.child);
    // SIGTERM: the CLI passes it on to the emulator process it started.
    if (emulator) await new Promise((resolve) => emulator.child.once("exit", resolve).kill("SIGTERM"));
  });

  it("a DM to the bot gets the agent's reply in the DM", async () => {
    const said = await fetch(`${emulator.url}/_emulator/message`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "U000ALICE", channel: "D000ALICE", text: "hello *there*" }),
    });
    assert.ok(said.ok, await said.text());
    const reply = await waitFor(
      async () => {
        const res = await fetch(`${emulator.url}/_emulator/messages?channel=D000ALICE`);
        const body = (await res.json()) as { messages?: Array<{ text: string }> } | Array<{ text: string }>;
        const messages = Array.isArray(body) ? body : (body.messages ?? []);
        // While it streams, the reply is a placeholder that grows; wait for the finished text.
        return messages.find((m) => m.text === "echo: hello _there_");
      },
      { what: "the bot's reply in the DM", timeoutMs: 15_000 },
    );
    assert.equal(reply.text, "echo: hello _there_");
  });
});
