/**
 * MCP servers for one turn: a private temp file `{"mcpServers": {…}}` that the CLI reads with
 * `--mcp-config <file>`, removed when the turn ends. It may hold server tokens, so only its
 * owner (the CLI's Unix user) can read it.
 */
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { McpServerConfig } from "../../core/agent.ts";
import type { UnixUser } from "./isolation.ts";

export interface McpConfigFile {
  path: string;
  remove(): Promise<void>;
}

export async function writeMcpConfig(servers: Record<string, McpServerConfig>, runAs: UnixUser | undefined): Promise<McpConfigFile> {
  const dir = await mkdtemp(join(tmpdir(), "switchboard-mcp-"));
  const path = join(dir, "mcp.json");
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await writeFile(path, JSON.stringify({ mcpServers: servers }), { mode: 0o600 });
    if (runAs) {
      await chown(dir, runAs.uid, runAs.gid);
      await chown(path, runAs.uid, runAs.gid);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, remove };
}
