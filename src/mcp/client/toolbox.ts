/**
 * The MCP servers of one turn, as tools a model can call: each `mcpServers` entry with a `url` is
 * connected over Streamable HTTP with the official SDK client, its tools are listed (all pages),
 * and a call is routed back to the server that offers it. Entries with a `command` are for CLI
 * agents, which start them themselves; here they are left alone. A server that cannot be reached
 * fails the turn with an error naming it, rather than leaving the model quietly without its tools.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { McpServerConfig } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";
import { scrub } from "../../core/log.ts";
import { REDACTED } from "../../core/redact.ts";
import { resultText } from "./content.ts";
import { modelToolName } from "./names.ts";
import { loadClientSdk, type ClientSdk } from "./sdk.ts";

export interface McpTool {
  /** The name the model calls it by (see names.ts). */
  name: string;
  server: string;
  /** Its name on its server. */
  remoteName: string;
  description: string;
  /** JSON Schema of its arguments; always `type: "object"`. */
  inputSchema: Record<string, unknown>;
}

export interface McpToolOutcome {
  /** What the model reads. */
  text: string;
  isError: boolean;
}

export interface McpToolbox {
  readonly tools: readonly McpTool[];
  has(name: string): boolean;
  /** Run a call; failures of any kind come back as an error outcome the model can read. */
  call(name: string, args: unknown, signal: AbortSignal): Promise<McpToolOutcome>;
  close(): Promise<void>;
}

export interface ToolboxOptions {
  /** For error messages: `agents.<id>`. */
  agentId: string;
  signal: AbortSignal;
  /** The model API's longest tool name. */
  maxNameLength: number;
  /** Names already taken by the agent's own tools (delegates). */
  reserved?: readonly string[];
  /** Longest wait for connecting and listing tools (default 15 s). */
  connectTimeoutMs?: number;
  /** Longest wait for one tool call (default 60 s). */
  callTimeoutMs?: number;
}

interface Connected {
  server: string;
  client: Client;
  secrets: string[];
}

const CLIENT_INFO = { name: "switchboard", version: "0.1.0" };

/** Connect to the turn's URL servers; undefined when there are none. */
export async function openMcpToolbox(servers: Readonly<Record<string, McpServerConfig>> | undefined, options: ToolboxOptions): Promise<McpToolbox | undefined> {
  const remote = Object.entries(servers ?? {}).filter(([, config]) => typeof config.url === "string" && config.url !== "");
  if (remote.length === 0) return undefined;
  const sdk = await loadClientSdk();
  const opened = await Promise.allSettled(remote.map(([server, config]) => connect(sdk, server, config, options)));
  const connected = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  const failed = opened.find((o) => o.status === "rejected");
  if (failed) {
    await closeAll(connected);
    throw failed.reason;
  }

  const tools = new Map<string, { tool: McpTool; connection: Connected }>();
  try {
    for (const connection of connected) {
      for (const tool of await listTools(sdk, connection, options)) {
        const other = tools.get(tool.name)?.tool.server;
        const taken = options.reserved?.includes(tool.name) ? "one of the agent's own tools" : other !== undefined ? `a tool of server "${other}"` : undefined;
        if (taken) throw new AgentError(`agents.${options.agentId}: the MCP tool "${tool.remoteName}" of server "${tool.server}" would be called ${tool.name}, like ${taken}; rename the server in mcpServers`);
        tools.set(tool.name, { tool, connection });
      }
    }
  } catch (error) {
    await closeAll(connected);
    throw error;
  }

  return {
    tools: [...tools.values()].map((entry) => entry.tool),
    has: (name) => tools.has(name),
    async call(name, args, signal) {
      const entry = tools.get(name);
      if (!entry) return { text: `error: there is no tool named "${name}"`, isError: true };
      if (typeof args !== "object" || args === null || Array.isArray(args)) return { text: `error: the arguments of ${name} must be a JSON object`, isError: true };
      try {
        const result = await entry.connection.client.callTool({ name: entry.tool.remoteName, arguments: args as Record<string, unknown> }, undefined, {
          signal,
          timeout: options.callTimeoutMs ?? 60_000,
        });
        return { text: resultText(result), isError: result.isError === true };
      } catch (error) {
        return { text: `error: ${describe(sdk, entry.connection, error, "the call failed")}`, isError: true };
      }
    },
    close: () => closeAll(connected),
  };
}

async function connect(sdk: ClientSdk, server: string, config: McpServerConfig, options: ToolboxOptions): Promise<Connected> {
  const url = URL.parse(config.url!);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new AgentError(`agents.${options.agentId}: settings.mcpServers.${server}.url is not an http(s) URL`);
  }
  const secrets = [...Object.values(config.headers ?? {}), url.password, url.search.slice(1)].filter((s) => s.length >= 4);
  const client = new sdk.Client(CLIENT_INFO);
  const transport = new sdk.StreamableHTTPClientTransport(url, { requestInit: { headers: { ...config.headers } } });
  const connection = { server, client, secrets };
  try {
    await client.connect(transport, { signal: options.signal, timeout: options.connectTimeoutMs ?? 15_000 });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new AgentError(`agents.${options.agentId}: ${describe(sdk, connection, error, "could not connect")}`);
  }
  return connection;
}

async function listTools(sdk: ClientSdk, connection: Connected, options: ToolboxOptions): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  let cursor: string | undefined;
  try {
    do {
      const page = await connection.client.listTools(cursor ? { cursor } : {}, { signal: options.signal, timeout: options.connectTimeoutMs ?? 15_000 });
      for (const tool of page.tools) {
        const { $schema: _ignored, ...schema } = tool.inputSchema as Record<string, unknown>;
        tools.push({
          name: modelToolName(connection.server, tool.name, options.maxNameLength),
          server: connection.server,
          remoteName: tool.name,
          description: tool.description ?? tool.title ?? tool.name,
          inputSchema: { ...schema, type: "object" },
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
  } catch (error) {
    throw new AgentError(`agents.${options.agentId}: ${describe(sdk, connection, error, "could not list its tools")}`);
  }
  return tools;
}

async function closeAll(connections: readonly Connected[]): Promise<void> {
  await Promise.allSettled(connections.map((c) => c.client.close()));
}

/** What went wrong with a server, by its name (its URL may carry credentials) and without secrets. */
function describe(sdk: ClientSdk, connection: Connected, error: unknown, what: string): string {
  const where = `the MCP server "${connection.server}"`;
  let detail: string;
  if (error instanceof sdk.StreamableHTTPError && error.code === 401) detail = `refused the credentials in its headers (HTTP 401)`;
  else if (error instanceof sdk.StreamableHTTPError) detail = `answered HTTP ${error.code ?? "error"}: ${error.message}`;
  else if (error instanceof sdk.McpError) detail = error.message;
  else if (error instanceof Error) detail = networkCode(error) ?? error.message;
  else detail = String(error);
  const clean = connection.secrets.reduce((text, secret) => text.split(secret).join(REDACTED), scrub(detail)).slice(0, 300);
  return `${where} ${what}: ${clean}`;
}

/** fetch hides the socket error (ECONNREFUSED, ENOTFOUND) one level down. */
function networkCode(error: Error): string | undefined {
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === "string" ? `unreachable (${cause.code})` : undefined;
}

/**
 * Run a turn with the MCP servers' tools open, and closed again however the turn ends. A turn
 * aborted while they were connecting just ends; a server that cannot be opened fails the turn.
 */
export async function* withMcpToolbox<T>(
  servers: Readonly<Record<string, McpServerConfig>> | undefined,
  options: ToolboxOptions,
  run: (toolbox: McpToolbox | undefined) => AsyncIterable<T>,
): AsyncGenerator<T> {
  let toolbox: McpToolbox | undefined;
  try {
    toolbox = await openMcpToolbox(servers, options);
  } catch (error) {
    if (options.signal?.aborted) return;
    throw error;
  }
  try {
    yield* run(toolbox);
  } finally {
    await toolbox?.close();
  }
}
