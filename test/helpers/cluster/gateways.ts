/**
 * Several real `switchboard start` processes sharing one store, each from its own YAML config in
 * a temp dir: the shape of a multi-instance deployment. Each instance is named (g1, g2, …) and
 * its config tags what it sends with an `x-gateway` header, so the agent and the callback
 * receiver can tell which instance ran a turn or delivered a reply.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { killHard, startCli, type RunningGateway } from "../process.ts";

export const WEBHOOK_CHANNEL = "hook";
export const WEBHOOK_KEY = "cluster-test-channel-key-0123456789";
const WEBHOOK_SECRET = "cluster-test-signing-secret-0123456789";

export interface ClusterInstance extends RunningGateway {
  name: string;
  /** Where callers POST messages to this instance's webhook channel. */
  webhookUrl: string;
}

export interface GatewayCluster {
  instances: ClusterInstance[];
  /** kill -9 one instance. */
  kill(name: string): Promise<void>;
  /** Stop every instance that is still running (SIGTERM, then SIGKILL if it lingers). */
  stop(): Promise<void>;
}

export type AgentConfig = { kind: "echo" } | { kind: "http"; url: string };

/** One instance's config: a webhook channel whose replies go to `callbackUrl`, and one agent. */
export function webhookGatewayConfig(options: {
  instance: string;
  store: string;
  agent: AgentConfig;
  callbackUrl: string;
  lanes?: Record<string, string | number>;
}): Record<string, unknown> {
  const tag = { "x-gateway": options.instance };
  const agent = options.agent.kind === "http" ? { ...options.agent, stream: false, transcript: false, headers: tag } : options.agent;
  return {
    store: options.store,
    server: { port: 0 },
    ...(options.lanes ? { lanes: options.lanes } : {}),
    // Quick retries: a callback that failed because the receiver was busy should not idle for seconds.
    outbox: { baseDelay: "100ms", maxDelay: "1s" },
    defaultAgent: "agent",
    agents: { agent },
    channels: {
      [WEBHOOK_CHANNEL]: {
        type: "webhook",
        callbackUrl: options.callbackUrl,
        signature: { secret: WEBHOOK_SECRET },
        key: WEBHOOK_KEY,
        callbackHeaders: tag,
      },
    },
  };
}

export async function startGatewayCluster(options: { dir: string; size: number; config: (instance: string) => Record<string, unknown> }): Promise<GatewayCluster> {
  const names = Array.from({ length: options.size }, (_, i) => `g${i + 1}`);
  const env = { SWITCHBOARD_LOG_LEVEL: process.env.TEST_LOG ? "debug" : "warn" };
  const started = await Promise.allSettled(
    names.map(async (name): Promise<ClusterInstance> => {
      const file = join(options.dir, `${name}.yaml`);
      writeFileSync(file, stringify(options.config(name), { aliasDuplicateObjects: false }));
      const gateway = await startCli(["-c", file], { cwd: options.dir, env });
      return { ...gateway, name, webhookUrl: `${gateway.url}/channels/${WEBHOOK_CHANNEL}/webhook` };
    }),
  );
  const instances = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const stop = () => Promise.all(instances.map((instance) => stopInstance(instance))).then(() => undefined);
  const failure = started.find((result) => result.status === "rejected");
  if (failure) {
    await stop();
    throw failure.reason;
  }
  return {
    instances,
    async kill(name) {
      const instance = instances.find((i) => i.name === name);
      if (!instance) throw new Error(`no instance ${name}`);
      await killHard(instance.child);
    },
    stop,
  };
}

async function stopInstance(instance: ClusterInstance): Promise<void> {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const lingering = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(lingering);
}
