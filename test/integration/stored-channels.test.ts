/**
 * Channels created through the management API and the CLI: validated like YAML, credentials
 * sealed in the store, applied to the running gateway without a restart, edited with `••••`
 * keeping a secret, disabled and deleted. The YAML's channels are shown and refused read-only.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { newMasterKey } from "../../src/core/secrets/index.ts";
import { startWebhookEmulator, type WebhookEmulator } from "../emulators/webhook/index.ts";
import { adminHeaders, getJson, postJson, TEST_ADMIN_TOKEN, tempDir, waitFor, type TestGateway } from "../helpers/gateway.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import { createGatewayFromConfig } from "../../src/switchboard.ts";
import { createLogger } from "../../src/core/log.ts";
import { runCli } from "../helpers/process.ts";

const HOOK_SECRET = "stored-hook-signature-secret-0123456789";
const CALLBACK_TOKEN = "Bearer callback-receiver-token-abcdef";

async function call(url: string, method: string, body?: unknown, headers: Record<string, string> = adminHeaders): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe("channels created through the API and the CLI", () => {
  let receiver: WebhookEmulator;
  let t: TestGateway;
  let configFile: string;
  const masterKey = newMasterKey();

  before(async () => {
    receiver = await startWebhookEmulator({ secret: HOOK_SECRET });
    const dir = tempDir("switchboard-stored-");
    // A config file and a master key file, so the CLI works on the same store as the gateway.
    writeFileSync(join(dir, "master.key"), `${masterKey}\n`, { mode: 0o600 });
    configFile = join(dir, "switchboard.yaml");
    writeFileSync(
      configFile,
      [
        "store: sqlite:./test.db",
        "server: { port: 0 }",
        "defaultAgent: helper",
        "agents: { helper: { kind: echo } }",
        "channels: { api: { type: http, auth: none } }",
        "secrets: { masterKeyFile: master.key }",
        `admin: { token: ${TEST_ADMIN_TOKEN} }`,
        "outbox: { baseDelay: 50ms }",
      ].join("\n"),
    );
    const { config, baseDir } = await loadConfigFile(configFile);
    const gw = createGatewayFromConfig(config, { baseDir, log: createLogger({ level: process.env.TEST_LOG ? "debug" : "error" }) });
    await gw.start();
    t = {
      gw,
      url: gw.url!,
      dir,
      async stop() {
        await gw.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
  after(async () => {
    await t.stop();
    await receiver.close();
  });

  const hookConfig = () => ({
    type: "webhook",
    callbackUrl: receiver.callbackUrl,
    signature: { secret: HOOK_SECRET },
    callbackHeaders: { Authorization: CALLBACK_TOKEN },
    access: { policy: "open" },
  });
  const postSigned = (id: string, message: unknown) => {
    const body = JSON.stringify(message);
    return fetch(`${t.url}/channels/${id}/webhook`, { method: "POST", headers: { "content-type": "application/json", ...receiver.sign(body) }, body });
  };

  it("creates a webhook channel that answers at once, shows its secrets as ••••, and keeps them sealed in the store", async () => {
    const created = await call(`${t.url}/v1/channels`, "POST", { id: "hook2", ...hookConfig() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.source, "store");
    assert.equal(created.body.version, 1);
    assert.equal(created.body.config.signature.secret, "••••");
    assert.equal(created.body.config.callbackHeaders.Authorization, "••••");

    const accepted = await waitFor(async () => ((await postSigned("hook2", { id: "m-1", user: { id: "carol" }, text: "hello stored" })).status === 202 ? true : undefined), { what: "the new channel to take messages" });
    assert.ok(accepted);
    const reply = await waitFor(() => receiver.received().find((c) => c.text === "hello stored"), { what: "the reply at the callback" });
    assert.equal(reply.text, "hello stored");
    assert.equal(receiver.attempts.find((a) => a.body?.text === "hello stored")?.headers["authorization"], CALLBACK_TOKEN, "the stored header secret is used");

    const listed = await getJson(`${t.url}/v1/channels`, adminHeaders);
    const ids = listed.body.channels.map((c: { id: string; source: string }) => `${c.id}:${c.source}`);
    assert.deepEqual(ids.sort(), ["api:config", "hook2:store"]);
    const shown = JSON.stringify(listed.body);
    for (const secret of [HOOK_SECRET, CALLBACK_TOKEN]) assert.ok(!shown.includes(secret), "no secret in the API answer");
    assert.equal(listed.body.channels.find((c: { id: string }) => c.id === "hook2").status.state, "running");

    // Read by another process: closing a descriptor of the database in this one would drop the
    // running gateway's POSIX locks on it (SQLite's documented hazard), and it would stop seeing the CLI's writes.
    const bytes = execFileSync("cat", readdirSync(t.dir).filter((f) => f.startsWith("test.db")).map((f) => join(t.dir, f)));
    assert.ok(bytes.includes("sb1:"), "the scan sees the sealed values");
    for (const secret of [HOOK_SECRET, CALLBACK_TOKEN.slice(7), masterKey]) assert.equal(bytes.includes(secret), false, "a credential is in the database in clear");
  });

  it("edits with •••• keeping a secret, refuses a stale version, disables and deletes", async () => {
    const current = await getJson(`${t.url}/v1/channels/hook2`, adminHeaders);
    const edited = await call(`${t.url}/v1/channels/hook2`, "PUT", { ...current.body.config, format: "text" }, { ...adminHeaders, "if-match": String(current.body.version) });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.version, 2);
    const stale = await call(`${t.url}/v1/channels/hook2`, "PUT", current.body.config, { ...adminHeaders, "if-match": String(current.body.version) });
    assert.equal(stale.status, 409);
    assert.match(stale.body.error, /changed meanwhile \(now version 2\)/);
    // The secret kept by •••• still verifies what callers sign.
    await waitFor(async () => ((await postSigned("hook2", { id: "m-2", user: { id: "carol" }, text: "**bold** after edit" })).status === 202 ? true : undefined));
    const plain = await waitFor(() => receiver.received().find((c) => c.text === "bold after edit"), { what: "the reply in the edited format" });
    assert.ok(plain);

    assert.equal((await call(`${t.url}/v1/channels/hook2`, "PATCH", { enabled: false })).status, 200);
    await waitFor(async () => ((await postSigned("hook2", { id: "m-3", user: { id: "carol" }, text: "off" })).status === 404 ? true : undefined), { what: "the disabled channel to stop" });
    assert.equal((await call(`${t.url}/v1/channels/hook2`, "PATCH", { enabled: true })).status, 200);
    await waitFor(async () => ((await postSigned("hook2", { id: "m-4", user: { id: "carol" }, text: "on" })).status === 202 ? true : undefined), { what: "the channel to come back" });

    assert.equal((await call(`${t.url}/v1/channels/hook2`, "DELETE")).status, 204);
    assert.equal((await postSigned("hook2", { id: "m-5", user: { id: "carol" }, text: "gone" })).status, 404);
    assert.equal((await getJson(`${t.url}/v1/channels/hook2`, adminHeaders)).status, 404);

    const audit = await runCli(["audit", "--json", "-c", configFile]);
    const kinds = (JSON.parse(audit.stdout) as Array<{ kind: string; channel?: string; actor?: string }>).filter((e) => e.channel === "hook2" && e.kind.startsWith("channel.")).map((e) => `${e.kind} ${e.actor}`);
    assert.deepEqual(kinds.sort(), ["channel.created admin:api", "channel.deleted admin:api", "channel.updated admin:api", "channel.updated admin:api", "channel.updated admin:api"]);
  });

  it("refuses bad configs with the path of the problem, YAML channels, duplicates and callers without the admin token", async () => {
    const bad = await call(`${t.url}/v1/channels`, "POST", { id: "bad", type: "webhook", callbackUrl: "ftp://x", signature: { secret: "short" } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /channels\.bad\.callbackUrl: must be an http\(s\) URL/);
    assert.match(bad.body.error, /channels\.bad\.signature\.secret: must be at least 16 characters/);
    assert.ok(!bad.body.error.includes("short"), "the error names the field, not the value");
    assert.equal((await call(`${t.url}/v1/channels`, "POST", { id: "no/slash", type: "http" })).status, 400);
    assert.equal((await call(`${t.url}/v1/channels`, "POST", { id: "x", type: "nope" })).status, 400);

    const yaml = await call(`${t.url}/v1/channels/api`, "PUT", { type: "http" });
    assert.equal(yaml.status, 409);
    assert.match(yaml.body.error, /defined in the config file; edit it there/);
    assert.equal((await call(`${t.url}/v1/channels/api`, "DELETE")).status, 409);

    assert.equal((await call(`${t.url}/v1/channels`, "POST", { id: "twice", ...hookConfig() })).status, 201);
    assert.equal((await call(`${t.url}/v1/channels`, "POST", { id: "twice", ...hookConfig() })).status, 409);

    assert.equal((await call(`${t.url}/v1/channels`, "GET", undefined, {})).status, 401);
    assert.equal((await call(`${t.url}/v1/channels`, "POST", { id: "sneaky", ...hookConfig() }, { authorization: "Bearer wrong" })).status, 401);
  });

  it("an http channel created through the API gets its key in the answer, once", async () => {
    const created = await call(`${t.url}/v1/channels`, "POST", { id: "api2", type: "http" });
    assert.equal(created.status, 201);
    assert.match(created.body.key, /^sbk_/);
    await waitFor(async () => ((await postJson(`${t.url}/channels/api2`, { user: "dora", text: "keyed" }, { authorization: `Bearer ${created.body.key}` })).status === 200 ? true : undefined));
    assert.equal((await postJson(`${t.url}/channels/api2`, { user: "dora", text: "no key" })).status, 401);
    assert.equal((await getJson(`${t.url}/v1/channels/api2`, adminHeaders)).body.key, undefined, "the key is not shown again");
    const rotated = await call(`${t.url}/v1/channels/api2/key`, "POST", { rotate: true, grace: "0" });
    assert.equal(rotated.status, 201);
    await waitFor(async () => ((await postJson(`${t.url}/channels/api2`, { user: "dora", text: "old" }, { authorization: `Bearer ${created.body.key}` })).status === 401 ? true : undefined));
    assert.equal((await postJson(`${t.url}/channels/api2`, { user: "dora", text: "new" }, { authorization: `Bearer ${rotated.body.key}` })).status, 200);
  });

  it("the CLI adds a channel from the environment without the secret in its arguments, and the running gateway starts it", async () => {
    const env = { STORED_HOOK_SECRET: HOOK_SECRET };
    const add = await runCli(
      ["channels", "add", "cli-hook", "--type", "webhook", `callbackUrl=${receiver.callbackUrl}`, "signature.secret=${STORED_HOOK_SECRET}", "access.policy=open", "-c", configFile],
      { env },
    );
    assert.equal(add.code, 0, add.stderr);
    await waitFor(async () => ((await postSigned("cli-hook", { id: "c-1", user: { id: "erin" }, text: "from the cli" })).status === 202 ? true : undefined), { what: "the gateway to start the CLI's channel" });
    await waitFor(() => receiver.received().find((c) => c.text === "from the cli"));

    const list = await runCli(["channels", "list", "-c", configFile]);
    assert.match(list.stdout, /cli-hook\s+webhook\s+stored v1/);
    assert.match(list.stdout, /api\s+http\s+config file \(read-only\)/);
    const show = await runCli(["channels", "show", "cli-hook", "--json", "-c", configFile]);
    assert.equal(JSON.parse(show.stdout).config.signature.secret, "••••");
    assert.ok(!show.stdout.includes(HOOK_SECRET));

    const set = await runCli(["channels", "set", "cli-hook", "format=text", "-c", configFile]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse((await runCli(["channels", "show", "cli-hook", "--json", "-c", configFile])).stdout).version, 2);

    const yamlEdit = await runCli(["channels", "set", "api", "auth=key", "-c", configFile]);
    assert.equal(yamlEdit.code, 1);
    assert.match(yamlEdit.stderr, /defined in the config file; edit it there/);
    const missing = await runCli(["channels", "add", "x", "--type", "webhook", "signature.secret=${NOT_SET_ANYWHERE}", "-c", configFile]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_SET_ANYWHERE/);

    assert.equal((await runCli(["channels", "remove", "cli-hook", "-c", configFile])).code, 0);
    await waitFor(async () => ((await postSigned("cli-hook", { id: "c-2", user: { id: "erin" }, text: "gone" })).status === 404 ? true : undefined), { what: "the gateway to stop the removed channel" });
  });
});
