/**
 * `switchboard message send --channel <id> --to <target> [--id K] "text"`: one message sent first.
 * It goes through the running gateway's `/v1/messages/outbound` (with the admin token from the
 * config or its file) when one answers; otherwise an in-process gateway on the same config sends it
 * and stays until the platform took it, so nothing is left half-done when the command returns.
 */
import { randomUUID } from "node:crypto";
import { createGatewayFromConfig } from "../switchboard.ts";
import { silentLogger } from "../core/log.ts";
import { awaitDelivery } from "../core/proactive.ts";
import { adminTokenPath, readAdminTokenFile } from "../config/admin-token.ts";
import { resolveConfig } from "./config.ts";

interface MessageCliOptions {
  config?: string;
  channel?: string;
  to?: string;
  id?: string;
  url?: string;
}

const USAGE = 'usage: switchboard message send --channel <id> --to <target> "text"   (targets: #channel, an email address, owner/repo#12, a chat id, +4915…)';

export async function message(args: string[], options: MessageCliOptions): Promise<number> {
  const [action, ...words] = args;
  const text = words.join(" ").trim();
  if (action !== "send" || options.channel === undefined || options.to === undefined || text === "") {
    console.error(USAGE);
    return 2;
  }
  const { config, baseDir } = await resolveConfig(options.config);
  // The same id on a retry of this command sends once.
  const id = options.id ?? randomUUID();
  const body = { channel: options.channel, to: options.to, text, id };
  const url = options.url ?? `http://${config.server.host === "0.0.0.0" ? "127.0.0.1" : config.server.host}:${config.server.port}`;
  const token = config.admin.token ?? (config.admin.enabled ? readAdminTokenFile(adminTokenPath(config.admin, baseDir)) : undefined);
  try {
    const response = await fetch(`${url}/v1/messages/outbound`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const result = (await response.json()) as { status?: string; session?: string; error?: string };
    if (!response.ok) {
      console.error(`error: the gateway answered ${response.status}: ${result.error ?? "unknown error"}`);
      return 1;
    }
    console.log(`${result.status === "duplicate" ? "already sent" : "queued"} (session ${result.session}); the running gateway delivers it`);
    return 0;
  } catch (error) {
    if (options.url || (error as { cause?: { code?: string } }).cause?.code !== "ECONNREFUSED") throw error;
  }
  // No gateway is listening: send it from here and wait until the platform has it.
  const gateway = createGatewayFromConfig(config, { baseDir, listen: false, log: silentLogger });
  await gateway.start();
  try {
    const result = await gateway.sendFirst({ ...body, by: "admin:cli" });
    const timeout = AbortSignal.timeout(120_000);
    await awaitDelivery(gateway.gateway, options.channel, result.eventId, { signal: timeout });
    console.log(`sent (session ${result.sessionId})`);
    return 0;
  } finally {
    await gateway.stop();
  }
}
