/**
 * A config folder for the secrets tests: an http and a webhook channel on a SQLite store, the
 * `switchboard` CLI run against it, gateways started from it, and a scan of the database files.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postJson, tempDir, waitFor } from "../../helpers/gateway.ts";
import { closedPort } from "../../helpers/net.ts";
import { signedHeaders } from "../../emulators/webhook/signing.ts";
import { killHard, runCli, startCli, type RunningGateway } from "../../helpers/process.ts";

/** Configured secrets: they must never reach the database either. */
export const SIGNATURE_SECRET = "whsec-configured-signature-secret-0001";

export interface SecretsSetup {
  dir: string;
  configFile: string;
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }>;
  start(env: NodeJS.ProcessEnv): Promise<RunningGateway>;
  /** Every file of the database (main file, WAL, shared memory) as one buffer. */
  databaseBytes(): Buffer;
  cleanup(): Promise<void>;
}

/** No master key inherited from the shell that runs the tests. */
export const noMasterKey: NodeJS.ProcessEnv = { SWITCHBOARD_MASTER_KEY: "", SWITCHBOARD_MASTER_KEY_FILE: "", SWITCHBOARD_MASTER_KEY_PREVIOUS: "" };

export async function secretsSetup(extraYaml = ""): Promise<SecretsSetup> {
  const dir = tempDir("switchboard-secrets-");
  const configFile = join(dir, "switchboard.yaml");
  const callback = `http://127.0.0.1:${await closedPort()}/callback`;
  writeFileSync(
    configFile,
    `store: sqlite:./data/switchboard.db
defaultAgent: helper
agents:
  helper: { kind: echo }
channels:
  api: { type: http }
  hook:
    type: webhook
    callbackUrl: ${callback}
    signature: { secret: "\${HOOK_SECRET}" }
${extraYaml}`,
  );
  const gateways: RunningGateway[] = [];
  const baseEnv = { ...noMasterKey, HOOK_SECRET: SIGNATURE_SECRET };
  return {
    dir,
    configFile,
    cli: (args, env = {}) => runCli([...args, "-c", configFile], { cwd: dir, env: { ...baseEnv, ...env } }),
    async start(env) {
      const gateway = await startCli(["-c", configFile, "--port", "0"], { cwd: dir, env: { ...baseEnv, ...env } });
      gateways.push(gateway);
      return gateway;
    },
    databaseBytes() {
      const data = join(dir, "data");
      return Buffer.concat(readdirSync(data).filter((f) => f.startsWith("switchboard.db")).map((f) => readFileSync(join(data, f))));
    },
    async cleanup() {
      await Promise.all(gateways.map((g) => killHard(g.child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ask(url: string, key?: string) {
  return postJson(`${url}/v1/messages`, { user: "alice", text: "ping" }, key === undefined ? {} : { authorization: `Bearer ${key}` });
}

export function postHook(url: string, key: string, id: string) {
  return postJson(`${url}/channels/hook/webhook`, { id, user: { id: "bob" }, text: "hello" }, { authorization: `Bearer ${key}` });
}

/** Runs `channels key` and returns the printed key, checking it is only on stdout. */
export async function issueKey(s: SecretsSetup, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await s.cli(["channels", "key", ...args], env);
  assert.equal(result.code, 0, result.stderr);
  const key = result.stdout.trim();
  assert.match(key, /^sbk_[\w-]{43}$/);
  assert.ok(!result.stderr.includes(key), "the key is printed once, on stdout only");
  return key;
}

/** Waits until the gateway answers `key` with `status` (rotations arrive within the stored-key cache TTL). */
export async function until(url: string, key: string | undefined, status: number): Promise<void> {
  await waitFor(async () => (await ask(url, key)).status === status, { timeoutMs: 5_000, what: `status ${status} for ${key === undefined ? "no key" : "the key"}` });
}

/** POST to a webhook channel signed with SIGNATURE_SECRET (a channel added with `channels add … signature.secret=${HOOK_SECRET}`). */
export async function postSigned(url: string, channel: string, id: string): Promise<number> {
  const body = JSON.stringify({ id, user: { id: "bob" }, text: "signed hello" });
  const response = await fetch(`${url}/channels/${channel}/webhook`, { method: "POST", headers: { "content-type": "application/json", ...signedHeaders(SIGNATURE_SECRET, body) }, body });
  await response.body?.cancel();
  return response.status;
}

/** `channels add` of a webhook channel whose signature secret comes from $HOOK_SECRET (never in the arguments). */
export async function addStoredHook(s: SecretsSetup, id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await s.cli(["channels", "add", id, "--type", "webhook", `callbackUrl=http://127.0.0.1:${await closedPort()}/cb`, "signature.secret=${HOOK_SECRET}", "access.policy=open"], env);
  assert.equal(result.code, 0, result.stderr);
}
