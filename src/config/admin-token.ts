/**
 * The admin token at run time: from the config, or from its file. Reading a file refuses one that
 * other users can read, since the token grants every management route. Only the CLI creates the
 * file (`ensureAdminTokenFile`); a gateway built in code reads what it is given and writes nothing.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../core/errors.ts";
import { defaultAdminTokenFile, minAdminTokenLength, type AdminConfig } from "./admin.ts";

/** The token file's absolute path: `admin.tokenFile`, or the default, relative to `baseDir`. */
export function adminTokenPath(admin: AdminConfig, baseDir: string): string {
  return path.resolve(baseDir, admin.tokenFile ?? defaultAdminTokenFile);
}

/**
 * The token the management API accepts, or undefined when it is off. A gateway made in code uses
 * `admin.token`, or reads `admin.tokenFile` when one is named; it never falls back to the default file.
 */
export function resolveAdminToken(admin: AdminConfig, baseDir: string): string | undefined {
  if (!admin.enabled) return undefined;
  if (admin.token !== undefined) return admin.token;
  if (admin.tokenFile !== undefined) {
    const token = readAdminTokenFile(adminTokenPath(admin, baseDir));
    if (token === undefined) throw new ConfigError([`admin.tokenFile: ${adminTokenPath(admin, baseDir)}: file not found`]);
    return token;
  }
  return undefined;
}

/** The token in `file`, or undefined when there is no such file. */
export function readAdminTokenFile(file: string): string | undefined {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  if (!stat.isFile()) throw new ConfigError([`admin.tokenFile: ${file}: not a file`]);
  // Windows has no Unix modes to check; there the directory's ACL is what protects the file.
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    throw new ConfigError([`admin.tokenFile: ${file} is open to other users (mode ${mode}); it grants the management API, so fix it with: chmod 600 ${file}`]);
  }
  const token = readFileSync(file, "utf8").trim();
  if (token.length < minAdminTokenLength) {
    throw new ConfigError([`admin.tokenFile: ${file}: the token must be at least ${minAdminTokenLength} characters (delete the file and switchboard start writes a new one)`]);
  }
  return token;
}

/** The CLI's first start: read the token file, or create it (0600, in a 0700 directory) with a new token. */
export function ensureAdminTokenFile(file: string): { token: string; created: boolean } {
  const existing = readAdminTokenFile(file);
  if (existing !== undefined) return { token: existing, created: false };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("base64url");
  try {
    // `wx`: two gateways starting at once must not each write (and print) a different token.
    writeFileSync(file, token + "\n", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { token: readAdminTokenFile(file)!, created: false };
  }
  return { token, created: true };
}
