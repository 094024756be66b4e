#!/usr/bin/env node
// The `switchboard` command. In a source checkout it runs the TypeScript directly (Node 24
// strips types); an installed package runs the compiled `dist/`.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const entry = existsSync(source) ? source : new URL("../dist/cli/main.js", import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
