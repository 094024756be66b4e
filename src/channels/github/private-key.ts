/** The GitHub App's private key, from the config's PEM text or a key file next to the config. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../../core/errors.ts";

export function readPrivateKey(path: string, app: { privateKey?: string; privateKeyFile?: string }, baseDir: string): string {
  if (app.privateKey !== undefined) {
    // Env vars and secret stores often flatten newlines to "\n".
    return app.privateKey.includes("\\n") ? app.privateKey.replaceAll("\\n", "\n") : app.privateKey;
  }
  const file = resolve(baseDir, app.privateKeyFile ?? "");
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([`${path}.privateKeyFile: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`]);
  }
  if (!pem.includes("PRIVATE KEY")) throw new ConfigError([`${path}.privateKeyFile: ${file} is not a PEM private key`]);
  return pem;
}
