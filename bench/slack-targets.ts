/**
 * The servers the Slack scenarios compare, each a process of its own pointed at the same Slack
 * emulator: our gateway (`switchboard start`, Slack channel in events mode, echo agent, the
 * embedded SQLite store), the bare `node:http` baseline, `@slack/bolt` and the Chat SDK.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { binPath } from "../test/helpers/process.ts";
import { spawnServer } from "./child.ts";
import type { SlackWorld } from "./slack-world.ts";

export interface RunningTarget {
  /** Where Slack POSTs events. */
  eventsUrl: string;
  pid: number;
  stop(): Promise<void>;
}

export interface SlackTarget {
  name: string;
  start(world: SlackWorld, options: { profileDir?: string }): Promise<RunningTarget>;
}

/** The store the gateway runs on in every Slack scenario, for the run header. */
export const GATEWAY_STORE = "sqlite:./data/switchboard.db (WAL, synchronous FULL: every commit synced)";

const script = (name: string) => fileURLToPath(new URL(`./targets/${name}`, import.meta.url));

function profileFlags(profileDir: string | undefined, name: string): string[] {
  return profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
}

function slackEnv(world: SlackWorld): NodeJS.ProcessEnv {
  const { emulator } = world;
  return {
    SLACK_SIGNING_SECRET: emulator.signingSecret,
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_API_URL: `${emulator.url}/api/`,
    SLACK_BOT_USER_ID: emulator.botUserId,
  };
}

export function bareSlack(reply: boolean): SlackTarget {
  return {
    name: reply ? "bare node:http (verify, parse, postMessage)" : "bare node:http (verify, parse)",
    async start(world, options) {
      const server = await spawnServer(script("bare-slack.ts"), { args: reply ? ["--reply"] : [], env: slackEnv(world), nodeFlags: profileFlags(options.profileDir, "bare") });
      return { eventsUrl: `${server.url}/`, pid: server.pid, stop: server.stop };
    },
  };
}

export const boltEcho: SlackTarget = {
  name: "@slack/bolt 5.1 (HTTPReceiver, say)",
  async start(world, options) {
    const server = await spawnServer(script("bolt-echo.ts"), { env: slackEnv(world), nodeFlags: profileFlags(options.profileDir, "bolt") });
    return { eventsUrl: `${server.url}/slack/events`, pid: server.pid, stop: server.stop };
  },
};

export const chatSdkEcho: SlackTarget = {
  name: "Chat SDK 4.41 (memory state, post)",
  async start(world, options) {
    const server = await spawnServer(script("chat-sdk-echo.ts"), { env: slackEnv(world), nodeFlags: profileFlags(options.profileDir, "chat-sdk") });
    return { eventsUrl: `${server.url}/`, pid: server.pid, stop: server.stop };
  },
};

export interface GatewayOptions {
  /** An HTTP agent's URL instead of the echo agent (a stalled agent: the ack path alone, or a backlog). */
  agentUrl?: string;
  /** Run in this directory and keep it (a restart on the same store); default a fresh temp dir, removed on stop. */
  dir?: string;
}

/** The gateway's config: one Slack channel on the emulator, open to every sender, the echo agent. */
export function slackGatewayConfig(world: SlackWorld, options: GatewayOptions = {}): Record<string, unknown> {
  const { emulator } = world;
  const agent = options.agentUrl ? { kind: "http", url: options.agentUrl, stream: false, transcript: false } : { kind: "echo" };
  return {
    store: "sqlite:./data/switchboard.db",
    server: { port: 0 },
    defaultAgent: "agent",
    agents: { agent },
    channels: {
      slack: {
        type: "slack",
        mode: "events",
        botToken: emulator.botToken,
        signingSecret: emulator.signingSecret,
        apiUrl: `${emulator.url}/api/`,
        // The peers answer anyone; pairing would turn every sender away with a code.
        access: { policy: "open" },
      },
    },
  };
}

export function switchboardGateway(options: GatewayOptions = {}): SlackTarget {
  return {
    name: options.agentUrl ? "switchboard (SQLite, durable accept)" : "switchboard (SQLite, echo agent)",
    async start(world, run) {
      const dir = options.dir ?? mkdtempSync(join(tmpdir(), "switchboard-bench-"));
      const removeDir = () => {
        if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
      };
      const file = join(dir, "switchboard.json");
      writeFileSync(file, JSON.stringify(slackGatewayConfig(world, options), null, 2));
      try {
        const gateway = await spawnServer(binPath, {
          args: ["start", "-c", file],
          cwd: dir,
          env: { SWITCHBOARD_LOG_LEVEL: "error" },
          nodeFlags: profileFlags(run.profileDir, "switchboard"),
          ready: "Stop with Ctrl+C.",
        });
        return {
          eventsUrl: `${gateway.url}/channels/slack`,
          pid: gateway.pid,
          async stop() {
            await gateway.stop();
            removeDir();
          },
        };
      } catch (error) {
        removeDir();
        throw error;
      }
    },
  };
}
