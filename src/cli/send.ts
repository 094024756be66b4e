/**
 * `switchboard send --user U "text"`: one message through the gateway. It goes to the running
 * gateway's HTTP API when one answers, and otherwise through an in-process gateway on the same config.
 */
import { randomUUID } from "node:crypto";
import { createGatewayFromConfig } from "../switchboard.ts";
import { silentLogger } from "../core/log.ts";
import { resolveConfig } from "./config.ts";
import type { SwitchboardConfig } from "../config/schema.ts";
import { openStore } from "../store/open.ts";
import { keyringSource, resolveKeyring, Vault } from "../core/secrets/index.ts";
import { newestStoredChannelKey } from "../core/secrets/store-channel-key.ts";

interface SendCliOptions {
  config?: string;
  user?: string;
  session?: string;
  agent?: string;
  url?: string;
  key?: string;
  json?: boolean;
}

export async function send(args: string[], options: SendCliOptions): Promise<number> {
  const text = args.join(" ").trim();
  if (!text) throw new Error('send: give the message text, e.g. switchboard send --user alice "hello"');
  const user = options.user ?? "cli";
  const id = randomUUID();
  const { config, baseDir } = await resolveConfig(options.config);
  const apiChannel = Object.entries(config.channels).find(([, c]) => c.type === "http");
  const key = options.key ?? process.env.SWITCHBOARD_KEY ?? (apiChannel?.[1].type === "http" ? (apiChannel[1].key ?? (await storedKey(config, baseDir, apiChannel[0]))) : undefined);
  const url = options.url ?? `http://${config.server.host === "0.0.0.0" ? "127.0.0.1" : config.server.host}:${config.server.port}`;

  const body = { user, text, id, session: options.session, agent: options.agent };
  const request = () =>
    new Request(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });
  let reply: Reply | undefined;
  if (apiChannel || options.url) {
    try {
      reply = await readReply(await fetch(request()));
    } catch (error) {
      if (options.url || !isConnectionRefused(error)) throw error;
    }
  }
  if (!reply) {
    // No gateway is listening: run one in-process for this message only, through the same
    // API channel when there is one, so the message joins the same session either way.
    const gateway = createGatewayFromConfig(config, { baseDir, listen: false, log: silentLogger });
    await gateway.start();
    try {
      reply = apiChannel ? await readReply(await gateway.fetch(request())) : await gateway.send({ user, session: options.session, agent: options.agent, id }, text);
    } finally {
      await gateway.stop();
    }
  }
  if (options.json) console.log(JSON.stringify(reply, null, 2));
  else console.log(reply.reply);
  return reply.status === "done" ? 0 : 1;
}

/** The API channel's generated key, read from the store with the master key this machine has; none without one. */
async function storedKey(config: SwitchboardConfig, baseDir: string, channelId: string): Promise<string | undefined> {
  const keyring = resolveKeyring(keyringSource(config.secrets, baseDir));
  if (!keyring) return undefined;
  const store = await openStore(config.store);
  try {
    return await newestStoredChannelKey(store, new Vault(keyring), channelId);
  } finally {
    await store.close();
  }
}

type Reply = { reply: string; session: string; status: string };

async function readReply(response: Response): Promise<Reply> {
  const result = (await response.json()) as Reply & { error?: string };
  if (!response.ok) throw new Error(`gateway answered ${response.status}: ${result.error ?? "unknown error"}`);
  return result;
}

function isConnectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === "ECONNREFUSED";
}
