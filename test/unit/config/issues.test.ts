import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../../src/core/errors.ts";
import { parseConfig } from "../../../src/config/load.ts";

/** The issue lines a config is rejected with; fails the test when it is accepted. */
function issuesOf(input: unknown): string[] {
  try {
    parseConfig(input, { env: {} });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.issues;
  }
  assert.fail("the config was accepted");
}

const echo = { helper: { kind: "echo" } };

test("a channel without a type says it is required and what it may be", () => {
  assert.deepEqual(issuesOf({ channels: { api: {} } }), ["channels.api.type: required (one of http, webchat, slack, email, github, webhook, whatsapp, telegram, discord)"]);
});

test("an unknown channel type or agent kind lists the known ones", () => {
  assert.deepEqual(issuesOf({ channels: { api: { type: "teams" } }, agents: { helper: { kind: "gpt" } } }), [
    "agents.helper.kind: must be one of echo, function, openai, anthropic, a2a, command, http (got \"gpt\")",
    "channels.api.type: must be one of http, webchat, slack, email, github, webhook, whatsapp, telegram, discord (got \"teams\")",
  ]);
});

test("an unknown key is named with its full path, at any depth", () => {
  assert.deepEqual(issuesOf({ channels: { api: { type: "http", tpye: "x" } }, bogus: 1 }), [
    'channels.api.tpye: unknown key "tpye"',
    'bogus: unknown key "bogus"',
  ]);
});

test("a bad enum value lists the allowed values", () => {
  assert.deepEqual(issuesOf({ lanes: { busy: "drop" } }), ['lanes.busy: must be one of queue, collect, interrupt (got "drop")']);
});

test("a bad duration explains the accepted forms", () => {
  assert.deepEqual(issuesOf({ session_ttl: "soon" }), ['session_ttl: "soon" is not a duration (use e.g. 30s, 10m, 24h, or seconds)']);
});

test("a duration of the wrong type says what it may be", () => {
  assert.deepEqual(issuesOf({ session_ttl: true }), ["session_ttl: expected string or number, got true"]);
});

test("a wrong type says what was expected and what was found", () => {
  assert.deepEqual(issuesOf({ server: { port: "eighty" }, lanes: { concurrency: 1.5 }, routes: {} }), [
    "server.port: expected number, got string",
    "lanes.concurrency: expected integer, got 1.5",
    "routes: expected array, got object",
  ]);
});

test("a missing required field reads `required`", () => {
  assert.deepEqual(issuesOf({ agents: { bot: { kind: "function" } } }), ["agents.bot.module: required"]);
});

test("an unknown defaultAgent names the agents there are", () => {
  assert.deepEqual(issuesOf({ defaultAgent: "nope", agents: echo }), ['defaultAgent: unknown agent "nope" (known: helper)']);
});

test("an invalid regex in content_match is reported at its route", () => {
  const routes = [
    { name: "ok", when: { always: true }, then: {} },
    { name: "bad", when: { content_match: "(fix" }, then: {} },
  ];
  assert.deepEqual(issuesOf({ routes }), ["routes.1.when.content_match: invalid regex: Unterminated group"]);
});

test("the existing thread strategy without a threadId asks for one", () => {
  const routes = [{ name: "pinned", when: { always: true }, then: { threadStrategy: "existing" } }];
  assert.deepEqual(issuesOf({ routes }), ["routes.0.then.threadId: required when threadStrategy is existing"]);
});

test("a route naming an unknown agent is reported", () => {
  const routes = [{ name: "r", when: { always: true }, then: { agent: "ghost" } }];
  assert.deepEqual(issuesOf({ agents: echo, routes }), ['routes.0.then.agent: unknown agent "ghost"']);
});

test("messages written in the schema are kept", () => {
  assert.deepEqual(issuesOf({ channels: { api: { type: "http", key: "short" } } }), ["channels.api.key: must be at least 16 characters"]);
  assert.deepEqual(issuesOf({ agents: { "my bot": { kind: "echo" } } }), ['agents."my bot": agent ids use letters, digits, . _ -']);
});

test("ranges, lengths and formats are worded plainly", () => {
  const routes = [{ name: "", when: { keyword: [] }, then: {} }];
  assert.deepEqual(issuesOf({ server: { port: 70000 }, channels: { web: { type: "webchat", path: "chat" } }, routes }), [
    "server.port: must be at most 65535",
    'channels.web.path: must start with "/"',
    "routes.0.name: must not be empty",
    "routes.0.when.keyword: must not be empty",
  ]);
});

test("a value that is one item or a list points into the list", () => {
  const routes = [{ name: "r", when: { keyword: ["ok", 7] }, then: {} }];
  assert.deepEqual(issuesOf({ routes }), ["routes.0.when.keyword.1: expected string, got 7"]);
});

test("a literal that must be true says so", () => {
  const routes = [{ name: "r", when: { always: false }, then: {} }];
  assert.deepEqual(issuesOf({ routes }), ["routes.0.when.always: must be true (got false)"]);
});

test("every problem is reported at once", () => {
  const issues = issuesOf({ channels: { api: {} }, lanes: { busy: "drop" }, session_ttl: "soon", extra: true });
  assert.equal(issues.length, 4, issues.join("\n"));
});

test("a config that is not a mapping says so at the root", () => {
  assert.deepEqual(issuesOf(["store"]), ["(root): expected object, got array"]);
});

test("a ConfigError's message lists every issue", () => {
  assert.throws(() => parseConfig({ lanes: { busy: "drop" }, extra: 1 }, { env: {} }), {
    message: 'invalid config:\n  lanes.busy: must be one of queue, collect, interrupt (got "drop")\n  extra: unknown key "extra"',
  });
});

test("numbers and booleans may come from environment variables, which are strings", () => {
  const config = parseConfig(
    { server: { port: "${PORT}" }, lanes: { concurrency: "${WORKERS}" }, channels: { api: { type: "http", enabled: "${API_ON}" } } },
    { env: { PORT: "9000", WORKERS: "4", API_ON: "false" } },
  );
  assert.equal(config.server.port, 9000);
  assert.equal(config.lanes.concurrency, 4);
  assert.equal(config.channels.api?.enabled, false);
});
