/**
 * `switchboard start` and the admin token: the first start of a config without one writes
 * `.switchboard/admin-token` (0600) and shows the token once; later starts reuse it silently;
 * `switchboard admin-token --show` prints it; a token file others can read stops the start.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getJson, postJson, tempDir, waitFor } from "../helpers/gateway.ts";
import { killHard, runCli, startCli, type RunningGateway } from "../helpers/process.ts";

const unixModes = process.platform !== "win32";

describe("switchboard start and the admin token", () => {
  const dir = tempDir("switchboard-admin-cli-");
  const configFile = join(dir, "switchboard.yaml");
  const tokenFile = join(dir, ".switchboard", "admin-token");
  writeFileSync(configFile, ["server: { port: 0 }", "defaultAgent: helper", "agents: { helper: { kind: echo } }", "channels: { api: { type: http, auth: none } }"].join("\n"));
  let running: RunningGateway | undefined;
  after(async () => {
    if (running) await killHard(running.child);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Start, wait for the whole banner (the URL comes first), and return what it printed. */
  async function start(args: string[], options: { cwd?: string } = {}): Promise<string> {
    running = await startCli(args, options);
    const gateway = running;
    return waitFor(() => (/Stop with Ctrl\+C/.test(gateway.output()) ? gateway.output() : undefined), { what: "the start banner" });
  }

  async function stop(): Promise<void> {
    if (running) await killHard(running.child);
    running = undefined;
  }

  it("the first start writes a 0600 token file next to the config and shows the token once; it opens the management API", async () => {
    const banner = await start(["-c", configFile]);
    const token = readFileSync(tokenFile, "utf8").trim();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
    if (unixModes) {
      assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, ".switchboard")).mode & 0o777, 0o700);
    }
    assert.equal(banner.split(token).length - 1, 1, `the token is printed exactly once:\n${banner}`);
    assert.match(banner, /admin .*written to .*admin-token \(mode 0600\); shown only this once/);

    const url = running!.url;
    assert.equal((await getJson(`${url}/v1/sessions`)).status, 401);
    assert.equal((await getJson(`${url}/v1/sessions`, { authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await postJson(`${url}/v1/messages`, { user: "u", text: "open as before" })).body.reply, "open as before");
    await stop();
  });

  it("a second start reuses the token without printing it, and admin-token --show prints it", async () => {
    const token = readFileSync(tokenFile, "utf8").trim();
    const banner = await start(["-c", configFile]);
    assert.equal(banner.includes(token), false, `the token is not printed again:\n${banner}`);
    assert.match(banner, /admin .*token in .*admin-token \(print it: switchboard admin-token --show\)/);
    assert.equal(readFileSync(tokenFile, "utf8").trim(), token);
    assert.equal((await getJson(`${running!.url}/v1/pairing`, { authorization: `Bearer ${token}` })).status, 200);
    await stop();

    const shown = await runCli(["admin-token", "-c", configFile, "--show"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stdout.trim(), token);
    const where = await runCli(["admin-token", "-c", configFile]);
    assert.equal(where.stdout.includes(token), false);
    assert.match(where.stdout, /admin-token \(print the token with --show\)/);
  });

  it("refuses to start while the token file is open to other users", { skip: !unixModes }, async () => {
    chmodSync(tokenFile, 0o644);
    const result = await runCli(["start", "-c", configFile]);
    chmodSync(tokenFile, 0o600);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /admin\.tokenFile: .*admin-token is open to other users \(mode 0644\).*chmod 600/);
  });
});

describe("switchboard start without a config file and the admin token", () => {
  const cwd = tempDir("switchboard-admin-default-");
  let running: RunningGateway | undefined;
  after(async () => {
    if (running) await killHard(running.child);
    rmSync(cwd, { recursive: true, force: true });
  });

  it("listens on 127.0.0.1, keeps web chat and messages open, and puts the token under the working directory", async () => {
    running = await startCli(["--port", "0"], { cwd });
    assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const token = readFileSync(join(cwd, ".switchboard", "admin-token"), "utf8").trim();
    assert.equal((await fetch(`${running.url}/`)).status, 200);
    assert.equal((await postJson(`${running.url}/v1/messages`, { user: "u", text: "hi" })).body.reply, "hi");
    assert.equal((await getJson(`${running.url}/v1/sessions`)).status, 401);
    assert.equal((await getJson(`${running.url}/v1/sessions`, { authorization: `Bearer ${token}` })).status, 200);
    const shown = await runCli(["admin-token", "--show"], { cwd });
    assert.equal(shown.stdout.trim(), token);
  });
});
