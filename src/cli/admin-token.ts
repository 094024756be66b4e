/**
 * The admin token from the CLI's side: `switchboard start` creates it on the first start (and
 * shows it that once), and `switchboard admin-token [--show]` says where it is or prints it.
 */
import type { SwitchboardConfig } from "../config/schema.ts";
import { adminTokenPath, ensureAdminTokenFile, readAdminTokenFile } from "../config/admin-token.ts";
import { resolveConfig } from "./config.ts";

/** What the start banner says about the admin token. */
export type AdminTokenSource =
  | { kind: "off" }
  | { kind: "config" }
  | { kind: "file"; file: string; created: boolean; token: string };

/**
 * Fills `config.admin.token` from the token file, creating the file when this is the first start.
 * A token set in the config wins, and `admin.enabled: false` leaves the management API off.
 */
export function prepareAdminToken(config: SwitchboardConfig, baseDir: string): AdminTokenSource {
  if (!config.admin.enabled) return { kind: "off" };
  if (config.admin.token !== undefined) return { kind: "config" };
  const file = adminTokenPath(config.admin, baseDir);
  const { token, created } = ensureAdminTokenFile(file);
  config.admin = { ...config.admin, token, tokenFile: undefined };
  return { kind: "file", file, created, token };
}

/** The banner lines; the token itself only on the start that created it, never through the logger. */
export function adminTokenBanner(source: AdminTokenSource): string[] {
  switch (source.kind) {
    case "off":
      return ["  admin     management API off (admin.enabled: false)"];
    case "config":
      return ["  admin     management API token from the config (admin.token)"];
    case "file":
      return source.created
        ? [`  admin     management API token written to ${source.file} (mode 0600); shown only this once:`, `            ${source.token}`]
        : [`  admin     management API token in ${source.file} (print it: switchboard admin-token --show)`];
  }
}

/** `switchboard admin-token [-c file] [--show]`. */
export async function adminToken(options: { config?: string; show?: boolean }): Promise<number> {
  const { config, baseDir } = await resolveConfig(options.config);
  if (!config.admin.enabled) {
    console.error("the management API is off in this config (admin.enabled: false)");
    return 1;
  }
  if (config.admin.token !== undefined) {
    if (options.show) console.log(config.admin.token);
    else console.log("the admin token is set in the config (admin.token)");
    return 0;
  }
  const file = adminTokenPath(config.admin, baseDir);
  const token = readAdminTokenFile(file);
  if (options.show) {
    if (token === undefined) {
      console.error(`no admin token yet: ${file} does not exist (switchboard start creates it)`);
      return 1;
    }
    console.log(token);
    return 0;
  }
  console.log(token === undefined ? `${file} (not created yet: switchboard start creates it)` : `${file} (print the token with --show)`);
  return 0;
}
