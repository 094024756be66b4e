/** How CLI commands find their config: `-c file`, else ./switchboard.yaml, else the embedded default. */
import { findConfigFile, defaultConfig, loadConfigFile } from "../config/load.ts";
import type { SwitchboardConfig } from "../config/schema.ts";

export interface CliConfig {
  config: SwitchboardConfig;
  baseDir: string;
  /** The file read, or undefined for the embedded default. */
  file: string | undefined;
}

export async function resolveConfig(file: string | undefined, cwd = process.cwd()): Promise<CliConfig> {
  const found = file ?? findConfigFile(cwd);
  if (found === undefined) return { config: defaultConfig(), baseDir: cwd, file: undefined };
  const loaded = await loadConfigFile(found);
  return { config: loaded.config, baseDir: loaded.baseDir, file: loaded.path };
}
