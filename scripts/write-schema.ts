/**
 * Writes schema/switchboard.schema.json, the JSON Schema editors use to check and complete
 * switchboard.yaml, from the zod config schema (`npm run schema`). A unit test fails when it is stale.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { configSchema } from "../src/config/schema.ts";

export const schemaFile = fileURLToPath(new URL("../schema/switchboard.schema.json", import.meta.url));

/** The input side of the schema: what a person may write, before defaults and transforms apply. */
export function buildJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" });
  return {
    $schema,
    $id: "urn:switchboard:config",
    title: "Switchboard configuration",
    description: "switchboard.yaml: the store, server, agents, channels and routes of a Switchboard gateway.",
    ...body,
  };
}

export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}

if (import.meta.main) {
  await writeFile(schemaFile, renderJsonSchema());
  console.log(`wrote ${schemaFile}`);
}
