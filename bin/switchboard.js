#!/usr/bin/env node
// The `switchboard` command. In a source checkout it runs the TypeScript directly (Node 24
// strips types); an installed package runs the compiled `dist/`. Started by an older Node, it
// hands over to the Node 24 that npm installed from devDependencies, when there is one.
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  const pinned = fileURLToPath(new URL("../node_modules/node/bin/node", import.meta.url));
  if (!existsSync(pinned)) {
    console.error(`Switchboard needs Node 24 or newer; this is Node ${process.versions.node}. Install Node 24, or run "npm install" here to get the pinned one.`);
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const source = new URL("../src/cli/main.ts", import.meta.url);
  const entry = existsSync(source) ? source : new URL("../dist/cli/main.js", import.meta.url);
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
