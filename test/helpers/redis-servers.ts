/**
 * Private Redis processes for tests: a plain server, a Sentinel watching one, or a three-node
 * Cluster, each on free loopback ports with its files in a temp directory, run in the
 * foreground as child processes and killed when the test process leaves, whatever happens.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { closedPort } from "./net.ts";
import { killHard } from "./process.ts";

export interface RedisProcess {
  port: number;
  dir: string;
  /** The server's log so far, for failure messages. */
  output(): string;
  /** SIGKILL, as a crash or an OOM killer would: nothing is flushed beyond what fsync already did. */
  kill(): Promise<void>;
  /** Start again on the same port and directory (after `kill`), and wait until it answers. */
  restart(): Promise<void>;
  /** Kill it and delete its directory. */
  stop(): Promise<void>;
}

export interface RedisCluster {
  nodes: RedisProcess[];
  stop(): Promise<void>;
}

const SERVER = "redis-server";
const CLI = "redis-cli";
const READY_TIMEOUT_MS = 10_000;

const running = new Set<ChildProcess>();
// A test that fails or is interrupted must not leave servers behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Fails with how to install it when a binary is missing: these tests never skip silently. */
export function requireRedisBinaries(): void {
  for (const binary of [SERVER, CLI]) {
    const found = spawnSync(binary, ["--version"], { stdio: "ignore" });
    if (found.error) {
      throw new Error(`${binary} is not installed (${found.error.message}): the redis topology tests start their own servers. On Debian/Ubuntu: apt-get install redis-server`);
    }
  }
}

/**
 * One redis-server on a free port. `config` lines go into its config file (`appendonly yes`,
 * `cluster-enabled yes`, …); persistence is off unless they turn it on.
 */
export async function startRedis(config: string[] = [], options: { sentinel?: boolean } = {}): Promise<RedisProcess> {
  requireRedisBinaries();
  let lastError: unknown;
  // The port was free a moment ago; another process may take it first, so try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "switchboard-redis-"));
    try {
      return await launch(dir, await closedPort(), config, options.sentinel ?? false);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      lastError = error;
    }
  }
  throw lastError;
}

/** A Sentinel (one is a quorum here) that knows `master` as `masterName`. */
export function startSentinel(master: RedisProcess, masterName = "mymaster"): Promise<RedisProcess> {
  return startRedis([`sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`, `sentinel down-after-milliseconds ${masterName} 5000`], { sentinel: true });
}

/** Three masters sharing the 16384 slots, no replicas; resolves once every node says the cluster is ok. */
export async function startCluster(): Promise<RedisCluster> {
  const nodes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < 3; i++) {
      // The bus port is given explicitly: the default (port + 10000) may be taken or out of range.
      nodes.push(await startRedis(["cluster-enabled yes", "cluster-config-file nodes.conf", `cluster-port ${await closedPort()}`, "cluster-node-timeout 5000"]));
    }
    await run(CLI, ["--cluster", "create", ...nodes.map((node) => `127.0.0.1:${node.port}`), "--cluster-replicas", "0", "--cluster-yes"]);
    await Promise.all(nodes.map((node) => waitForClusterOk(node)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}

async function launch(dir: string, port: number, config: string[], sentinel: boolean): Promise<RedisProcess> {
  const file = join(dir, sentinel ? "sentinel.conf" : "redis.conf");
  const data = join(dir, "data");
  mkdirSync(data);
  // A Sentinel rewrites its config file, so each process gets a file of its own.
  writeFileSync(file, [`port ${port}`, "bind 127.0.0.1", `dir ${data}`, 'save ""', ...config, ""].join("\n"));
  const args = sentinel ? [file, "--sentinel"] : [file];
  let child: ChildProcess | undefined;
  let out = "";
  const start = async () => {
    const started = spawn(SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    running.add(started);
    started.once("exit", () => running.delete(started));
    started.stdout!.on("data", (d) => (out += d));
    started.stderr!.on("data", (d) => (out += d));
    await waitForPong(started, port, () => out);
  };
  const kill = async () => {
    if (child) await killHard(child);
  };
  try {
    await start();
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    port,
    dir,
    output: () => out,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PING answers PONG only once the server is up and done loading its AOF (before: LOADING). */
async function waitForPong(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited at start (${child.exitCode ?? child.signalCode}):\n${output()}`);
    if ((await ask(port, "PING").catch(() => "")) === "PONG") return;
    await sleep(50);
  }
  throw new Error(`redis-server did not answer on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

async function waitForClusterOk(node: RedisProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let info = "";
  while (Date.now() < deadline) {
    info = String(await ask(node.port, "CLUSTER", "INFO").catch((error: unknown) => String(error)));
    if (info.includes("cluster_state:ok")) return;
    await sleep(100);
  }
  throw new Error(`the cluster did not become ok on 127.0.0.1:${node.port} within ${READY_TIMEOUT_MS / 1000} s:\n${info}\n${node.output()}`);
}

/** One command on a fresh connection that neither retries nor reconnects. */
export async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: READY_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
