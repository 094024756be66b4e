/**
 * `switchboard emulate <platform> [--port N]`: run a platform emulator for local development,
 * so a channel can be tried without a real workspace. Emulators live with the tests
 * (test/emulators/<platform>/server.ts) and come with a source checkout.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const emulators = fileURLToPath(new URL("../../test/emulators/", import.meta.url));

export async function emulate(args: string[], options: { port?: string; "events-url"?: string }): Promise<number> {
  const available = existsSync(emulators) ? readdirSync(emulators).filter((name) => existsSync(`${emulators}${name}/server.ts`)) : [];
  const [platform] = args;
  if (!platform || !available.includes(platform)) {
    if (available.length === 0) throw new Error("emulators come with a source checkout of Switchboard (test/emulators/); clone the repository to use them");
    throw new Error(`emulate: give a platform, one of ${available.join(", ")}${platform ? ` (not "${platform}")` : ""}`);
  }
  const child = spawn(process.execPath, [`${emulators}${platform}/server.ts`, ...(options.port ? ["--port", options.port] : []), ...(options["events-url"] ? ["--events-url", options["events-url"]] : []), ...args.slice(1)], {
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
}
