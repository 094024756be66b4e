/**
 * What the instance benchmark measures: a bare server, or N real `switchboard start` processes
 * (echo agent, webhook channel) on SQLite or on Redis, always behind the
 * same round-robin proxy and driven by the same clients, so the figures differ only by what is
 * behind the proxy. Each setup cleans up after itself: processes, temp dir, Redis keys.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGatewayCluster, webhookGatewayConfig, WEBHOOK_CHANNEL } from "../test/helpers/cluster/gateways.ts";
import { deleteKeysUnder, redisStoreUrl, uniquePrefix } from "../test/helpers/cluster/redis-keys.ts";
import { startReplyReceiver } from "../test/helpers/cluster/reply-receiver.ts";
import { startRoundRobinProxy } from "../test/helpers/cluster/round-robin-proxy.ts";
import { startBareServer } from "./bare-server.ts";

export interface Target {
  /** Where the clients POST messages. */
  url: string;
  /** Resolves once this many messages have their answer. */
  answered(count: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface Setup {
  name: string;
  instances: number;
  start(): Promise<Target>;
}

export const bareServer: Setup = {
  name: "bare node:http",
  instances: 1,
  async start() {
    const server = await startBareServer();
    const proxy = await startRoundRobinProxy([server.url]);
    return {
      url: `${proxy.url}/`,
      // Its answer is the HTTP response itself: every accepted message is answered.
      answered: () => Promise.resolve(),
      async stop() {
        await proxy.close();
        await server.stop();
      },
    };
  },
};

/** `redisUrl` (redis://host:port/db) is used when `store` is redis. */
export function gateways(store: "sqlite" | "redis", instances: number, redisUrl?: string): Setup {
  return {
    name: `switchboard on ${store === "sqlite" ? "SQLite" : "Redis"}`,
    instances,
    async start() {
      const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
      const prefix = uniquePrefix("bench");
      const storeUrl = store === "sqlite" ? "sqlite:./data/switchboard.db" : redisStoreUrl(prefix, redisUrl);
      const receiver = await startReplyReceiver();
      const cleanUp = async () => {
        await receiver.close();
        if (store === "redis") await deleteKeysUnder(prefix, redisUrl);
        rmSync(dir, { recursive: true, force: true });
      };
      let cluster;
      try {
        cluster = await startGatewayCluster({
          dir,
          size: instances,
          config: (instance) => webhookGatewayConfig({ instance, store: storeUrl, agent: { kind: "echo" }, callbackUrl: receiver.url }),
        });
      } catch (error) {
        await cleanUp();
        throw error;
      }
      const running = cluster;
      const proxy = await startRoundRobinProxy(running.instances.map((i) => i.url));
      return {
        url: `${proxy.url}/channels/${WEBHOOK_CHANNEL}/webhook`,
        answered: (count, timeoutMs) => receiver.answered(count, timeoutMs),
        async stop() {
          await running.stop();
          await proxy.close();
          await cleanUp();
        },
      };
    },
  };
}
