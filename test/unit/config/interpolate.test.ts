import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../../src/core/errors.ts";
import { interpolateEnv } from "../../../src/config/interpolate.ts";
import { parseConfig } from "../../../src/config/load.ts";

test("a set variable is substituted, inside other text too", () => {
  const { value, issues } = interpolateEnv({ store: "sqlite:${DATA}/sb.db", title: "${NAME}" }, { DATA: "/var/lib", NAME: "Help desk" });
  assert.deepEqual(issues, []);
  assert.deepEqual(value, { store: "sqlite:/var/lib/sb.db", title: "Help desk" });
});

test("a default is used when the variable is unset or empty, and ignored when it is set", () => {
  const tree = { a: "${UNSET:-fallback}", b: "${EMPTY:-fallback}", c: "${SET:-fallback}", d: "${UNSET:-}" };
  const { value, issues } = interpolateEnv(tree, { EMPTY: "", SET: "real" });
  assert.deepEqual(issues, []);
  assert.deepEqual(value, { a: "fallback", b: "fallback", c: "real", d: "" });
});

test("a variable set to the empty string without a default is empty, not missing", () => {
  assert.deepEqual(interpolateEnv({ a: "x${EMPTY}y" }, { EMPTY: "" }), { value: { a: "xy" }, issues: [] });
});

test("every missing variable is reported with the config path that needs it", () => {
  const tree = { channels: { slack: { botToken: "${SLACK_BOT_TOKEN}", appToken: "${SLACK_APP_TOKEN}" } } };
  assert.deepEqual(interpolateEnv(tree, {}).issues, [
    "channels.slack.botToken: environment variable SLACK_BOT_TOKEN is not set",
    "channels.slack.appToken: environment variable SLACK_APP_TOKEN is not set",
  ]);
});

test("$${VAR} is a literal ${VAR}, and a lone $ is left alone", () => {
  const { value, issues } = interpolateEnv({ a: "$${HOME} costs $5, ends$" }, { HOME: "/root" });
  assert.deepEqual(issues, []);
  assert.deepEqual(value, { a: "${HOME} costs $5, ends$" });
});

test("values inside nested arrays and objects are substituted, with indexes in error paths", () => {
  const tree = { routes: [{ when: { keyword: ["${K1}", "${K2}"] } }, { when: { keyword: ["${MISSING}"] } }] };
  const { value, issues } = interpolateEnv(tree, { K1: "help", K2: "support" });
  assert.deepEqual(value, { routes: [{ when: { keyword: ["help", "support"] } }, { when: { keyword: ["${MISSING}"] } }] });
  assert.deepEqual(issues, ["routes.1.when.keyword.0: environment variable MISSING is not set"]);
});

test("keys and non-string values are left as they are", () => {
  const tree = { "${KEY}": 1, on: true, off: null, n: 8787 };
  assert.deepEqual(interpolateEnv(tree, { KEY: "replaced" }).value, tree);
});

test("malformed references are errors, not silent text", () => {
  const { issues } = interpolateEnv({ a: "${not a name}", b: "${OPEN", c: "${A:-${B}}" }, {});
  assert.deepEqual(issues, [
    'a: invalid reference "${not a name}" (use ${NAME} or ${NAME:-default})',
    'b: unterminated "${" (write $${ for a literal ${)',
    'c: invalid reference "${A:-${B}" (use ${NAME} or ${NAME:-default})',
  ]);
});

test("the input tree is not modified", () => {
  const tree = { a: ["${X}"] };
  interpolateEnv(tree, { X: "1" });
  assert.deepEqual(tree, { a: ["${X}"] });
});

test("parseConfig substitutes before validating, and reports missing variables as a ConfigError", () => {
  const input = { channels: { api: { type: "http", key: "${API_KEY}" } }, server: { host: "${HOST:-0.0.0.0}" } };
  const config = parseConfig(input, { env: { API_KEY: "k".repeat(32) } });
  assert.deepEqual(config.channels["api"], { type: "http", key: "k".repeat(32) });
  assert.equal(config.server.host, "0.0.0.0");
  assert.throws(
    () => parseConfig(input, { env: {} }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.issues, ["channels.api.key: environment variable API_KEY is not set"]);
      return true;
    },
  );
});
