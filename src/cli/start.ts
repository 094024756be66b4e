/** `switchboard start [-c file] [--port N]`: run the gateway until SIGINT/SIGTERM. */
import { createGatewayFromConfig } from "../switchboard.ts";
import { resolveConfig } from "./config.ts";
import { redactStoreUrl } from "../store/open.ts";
import { adminTokenBanner, prepareAdminToken } from "./admin-token.ts";
import { channelKeysBanner, prepareChannelKeys } from "./first-start-keys.ts";

export async function start(options: { config?: string; port?: string }): Promise<number> {
  const { config, baseDir, file } = await resolveConfig(options.config);
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${options.port}" is not a port number`);
    config.server.port = port;
  }
  const admin = prepareAdminToken(config, baseDir);
  // The embedded default listens on 127.0.0.1 only and stays open to local callers.
  const keys = file ? await prepareChannelKeys(config, baseDir) : { issued: [] };
  const gateway = createGatewayFromConfig(config, { baseDir });
  await gateway.start();
  const url = gateway.url!;
  console.log(`Switchboard is running at ${url}${file ? ` (config: ${file})` : " with the embedded default config"}`);
  for (const [id, channel] of Object.entries(config.channels)) {
    if (channel.enabled === false) continue;
    if (channel.type === "webchat") console.log(`  web chat  ${url}${channel.path ?? "/"}   (channel ${id})`);
    if (channel.type === "http") console.log(`  HTTP API  ${url}/v1/messages   (channel ${id}, also ${url}/channels/${id})`);
    if (channel.type === "slack") {
      console.log(channel.mode === "socket" ? `  Slack     Socket Mode   (channel ${id})` : `  Slack     Events API request URL ${url}/channels/${id}   (channel ${id})`);
    }
  }
  console.log(`  store     ${redactStoreUrl(config.store)}`);
  for (const line of adminTokenBanner(admin)) console.log(line);
  for (const line of channelKeysBanner(keys)) console.log(line);
  console.log(`Stop with Ctrl+C.`);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`\n${signal}: draining running turns…`);
      gateway.stop().then(resolve, (error: unknown) => {
        console.error(`error while stopping: ${(error as Error).message}`);
        resolve();
      });
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
  return 0;
}
