import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { loadConfigFile } from "../../../src/config/load.ts";
import { buildJsonSchema } from "../../../scripts/write-schema.ts";

const exampleFile = fileURLToPath(new URL("../../../examples/switchboard.yaml", import.meta.url));

test("the example config loads", async () => {
  const { config } = await loadConfigFile(exampleFile, { env: {} });
  assert.equal(config.defaultAgent, "helper");
  assert.deepEqual(Object.keys(config.channels), ["api", "web"]);
  assert.deepEqual(config.routes[0], {
    name: "code-questions",
    when: { content_match: "(fix|debug|refactor) .*code" },
    then: { agent: "helper", threadStrategy: "per_user", instruction: "Answer briefly." },
  });
});

test("the example points editors at the JSON Schema on its first line", async () => {
  const firstLine = (await readFile(exampleFile, "utf8")).split("\n")[0];
  assert.equal(firstLine, "# yaml-language-server: $schema=../schema/switchboard.schema.json");
});

test("the example mentions every option in the schema, so a new option gets documented", async () => {
  const text = await readFile(exampleFile, "utf8");
  const missing = [...optionNames(buildJsonSchema())].filter((name) => name !== "$schema" && !new RegExp(`[\\s{,]${name}:`).test(text));
  assert.deepEqual(missing, [], `examples/switchboard.yaml does not show: ${missing.join(", ")}`);
});

/** Every property name anywhere in a JSON Schema. */
function optionNames(schema: unknown, names = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) optionNames(item, names);
  } else if (typeof schema === "object" && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "properties" && typeof value === "object" && value !== null) {
        for (const name of Object.keys(value)) names.add(name);
      }
      optionNames(value, names);
    }
  }
  return names;
}
