import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { buildJsonSchema, schemaFile } from "../../../scripts/write-schema.ts";

test("the committed JSON Schema matches the zod config schema", async () => {
  const committed: unknown = JSON.parse(await readFile(schemaFile, "utf8"));
  assert.deepEqual(committed, buildJsonSchema(), "schema/switchboard.schema.json is stale: run `npm run schema`");
});

test("the JSON Schema is a draft 2020-12 schema with an id and a title", () => {
  const schema = buildJsonSchema();
  assert.equal(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  assert.equal(typeof schema["$id"], "string");
  assert.equal(typeof schema["title"], "string");
});

test("the JSON Schema describes what people write, so fields with defaults are optional", () => {
  const schema = buildJsonSchema();
  assert.equal(schema["required"], undefined);
  const properties = schema["properties"] as Record<string, { type?: unknown }>;
  // The input side of a duration is a string or a number, not the milliseconds it becomes.
  assert.deepEqual(properties["session_ttl"]?.type, ["string", "number"]);
});
