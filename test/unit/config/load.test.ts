import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ConfigError } from "../../../src/core/errors.ts";
import { defaultConfig, findConfigFile, loadConfigFile, parseConfig } from "../../../src/config/load.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "switchboard-config-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function loadIssues(file: string): Promise<string[]> {
  try {
    await loadConfigFile(file, { env: {} });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.issues;
  }
  assert.fail("the config was accepted");
}

test("an empty config gets every default", () => {
  assert.deepEqual(parseConfig({}, { env: {} }), {
    store: "sqlite:./.switchboard/switchboard.db",
    server: { port: 8787, host: "127.0.0.1", bodyLimit: 1024 * 1024 },
    session_ttl: 24 * 3_600_000,
    lanes: { concurrency: 16, busy: "queue", turnTimeout: 10 * 60_000, maxPendingPerSession: 1000, drainTimeout: 10_000, leaseTtl: 10_000 },
    outbox: { maxAttempts: 8, baseDelay: 1000, maxDelay: 5 * 60_000 },
    dedupe_ttl: 7 * 86_400_000,
    agents: {},
    channels: {},
    routes: [],
    users: {},
    identityLinks: {},
    limits: { maxMessageChars: 40_000, maxAttachments: 20, channels: {} },
    admin: { enabled: true },
    schedules: [],
    metrics: { enabled: true, public: false },
    tracing: { enabled: false, exporter: "otlp-http", serviceName: "switchboard" },
  });
});

test("defaults fill the gaps of a partly written section, and durations become milliseconds", () => {
  const config = parseConfig({ server: { port: 9000 }, lanes: { turnTimeout: "90s" }, outbox: { baseDelay: 2 } }, { env: {} });
  assert.deepEqual(config.server, { port: 9000, host: "127.0.0.1", bodyLimit: 1024 * 1024 });
  assert.equal(config.lanes.turnTimeout, 90_000);
  assert.equal(config.lanes.concurrency, 16);
  assert.equal(config.outbox.baseDelay, 2000);
});

test("an empty file is an empty config", async () => {
  const file = await writeConfig("empty/switchboard.yaml", "# nothing configured yet\n");
  const { config } = await loadConfigFile(file, { env: {} });
  assert.deepEqual(config.channels, {});
  assert.equal(config.server.port, 8787);
});

test("a YAML syntax error is reported as file:line:col", async () => {
  const file = await writeConfig("syntax/switchboard.yaml", "server:\n  port: 8787\nchannels: [api\n");
  assert.deepEqual(await loadIssues(file), [
    `${file}:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
  ]);
});

test("a duplicate key is a syntax error at the second key", async () => {
  const file = await writeConfig("dup/switchboard.yaml", "store: sqlite:a.db\nserver: {}\nstore: sqlite:b.db\n");
  assert.deepEqual(await loadIssues(file), [`${file}:3:1: Map keys must be unique`]);
});

test("an alias to an unknown anchor is a ConfigError naming the file", async () => {
  const file = await writeConfig("alias/switchboard.yaml", "agents:\n  helper: *echo\n");
  const issues = await loadIssues(file);
  assert.equal(issues.length, 1);
  assert.ok(issues[0]?.startsWith(`${file}: `), issues[0]);
});

test("validation errors from a file name the config path", async () => {
  const file = await writeConfig("invalid/switchboard.yaml", "channels:\n  api: {}\n");
  assert.deepEqual(await loadIssues(file), ["channels.api.type: required (one of http, webchat, slack, email, github, webhook, whatsapp, telegram, discord)"]);
});

test("a missing file is a ConfigError", async () => {
  const file = path.join(dir, "nowhere", "switchboard.yaml");
  assert.deepEqual(await loadIssues(file), [`${file}: file not found`]);
});

test("a relative sqlite store is resolved against the config file's directory", async () => {
  const file = await writeConfig("deploy/switchboard.yaml", "store: sqlite:./data/sb.db\n");
  const loaded = await loadConfigFile(file, { env: {} });
  assert.equal(loaded.baseDir, path.join(dir, "deploy"));
  assert.equal(loaded.path, file);
  assert.equal(loaded.config.store, `sqlite:${path.join(dir, "deploy", "data", "sb.db")}`);
});

test("the default store is resolved against the config file's directory too", async () => {
  const file = await writeConfig("plain/switchboard.yaml", "server: { port: 0 }\n");
  const { config } = await loadConfigFile(file, { env: {} });
  assert.equal(config.store, `sqlite:${path.join(dir, "plain", ".switchboard", "switchboard.db")}`);
});

test("absolute, in-memory and non-sqlite stores are left as written", async () => {
  for (const store of ["sqlite:/srv/sb.db", "sqlite::memory:", "redis://localhost:6379"]) {
    const file = await writeConfig("stores/switchboard.yaml", `store: "${store}"\n`);
    const { config } = await loadConfigFile(file, { env: {} });
    assert.equal(config.store, store);
  }
});

test("a relative config path is loaded from the current directory", async () => {
  const file = await writeConfig("relative/switchboard.yaml", "server: { port: 1234 }\n");
  const loaded = await loadConfigFile(path.relative(process.cwd(), file), { env: {} });
  assert.equal(loaded.path, file);
  assert.equal(loaded.config.server.port, 1234);
});

test("environment variables in the file are substituted from the given env", async () => {
  const file = await writeConfig("env/switchboard.yaml", "server:\n  host: ${HOST:-127.0.0.1}\nstore: sqlite:${DB}\n");
  const { config } = await loadConfigFile(file, { env: { HOST: "0.0.0.0", DB: "/data/sb.db" } });
  assert.equal(config.server.host, "0.0.0.0");
  assert.equal(config.store, "sqlite:/data/sb.db");
});

test("findConfigFile prefers switchboard.yaml, then switchboard.yml, and ignores directories", async () => {
  const none = path.join(dir, "find-none");
  await mkdir(path.join(none, "switchboard.yaml"), { recursive: true });
  assert.equal(findConfigFile(none), undefined);

  const yml = await writeConfig("find-yml/switchboard.yml", "{}\n");
  assert.equal(findConfigFile(path.dirname(yml)), yml);

  const yaml = await writeConfig("find-yml/switchboard.yaml", "{}\n");
  assert.equal(findConfigFile(path.dirname(yaml)), yaml);
});

test("the default config serves an HTTP API and a web chat, answered by an echo agent", () => {
  const config = defaultConfig();
  assert.equal(config.store, "sqlite:./.switchboard/switchboard.db");
  assert.equal(config.server.port, 8787);
  assert.equal(config.defaultAgent, "helper");
  assert.deepEqual(config.agents, { helper: { kind: "echo" } });
  assert.deepEqual(config.channels, { api: { type: "http" }, web: { type: "webchat" } });
  assert.deepEqual(config.routes, []);
});
