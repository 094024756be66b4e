/**
 * One real `switchboard` process with every channel that has an HTTP ingress route, each pointed
 * at its platform's emulator (for the API calls a channel makes at start and for the replies),
 * so the fuzz tests hit the same server a deployment runs.
 */
import { rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { KeyObject } from "node:crypto";
import { startSlackEmulator } from "../../emulators/slack/index.ts";
import { startGitHubEmulator } from "../../emulators/github/index.ts";
import { startDiscordEmulator } from "../../emulators/discord/index.ts";
import { startTelegramEmulator } from "../../emulators/telegram/index.ts";
import { startWhatsAppEmulator } from "../../emulators/whatsapp/index.ts";
import { startWebhookEmulator } from "../../emulators/webhook/index.ts";
import { tempDir } from "../../helpers/gateway.ts";
import { newMasterKey } from "../../../src/core/secrets/index.ts";
import { startCli, killHard, type RunningGateway } from "../../helpers/process.ts";

/** The gateway's old-space limit: far above what it needs, far below what would hide a leak. */
export const HEAP_CAP_MB = 128;

/** The credentials the test needs to sign its requests the way each platform does. */
export interface FuzzSecrets {
  apiKey: string;
  slackSigningSecret: string;
  webhookSecret: string;
  whatsappAppSecret: string;
  whatsappPhoneNumberId: string;
  githubWebhookSecret: string;
  telegramSecretToken: string;
  discordSigningKey: KeyObject;
  adminToken: string;
}

export interface FuzzGateway {
  gateway: RunningGateway;
  url: string;
  pid: number;
  secrets: FuzzSecrets;
  /** The gateway's resident memory now, in bytes (VmRSS from /proc). */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

export async function startFuzzGateway(): Promise<FuzzGateway> {
  const closers: Array<() => Promise<void>> = [];
  const dir = tempDir("switchboard-fuzz-");
  const stopAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const slack = await startSlackEmulator();
    closers.push(() => slack.close());
    const github = await startGitHubEmulator();
    closers.push(() => github.close());
    github.addRepo("acme/widgets");
    const discord = await startDiscordEmulator();
    closers.push(() => discord.close());
    const telegram = await startTelegramEmulator();
    closers.push(() => telegram.close());
    const whatsapp = await startWhatsAppEmulator();
    closers.push(() => whatsapp.close());
    const callbacks = await startWebhookEmulator();
    closers.push(() => callbacks.close());

    const secrets: FuzzSecrets = {
      apiKey: "fuzz-api-key-0123456789",
      slackSigningSecret: slack.signingSecret,
      webhookSecret: callbacks.secret,
      whatsappAppSecret: whatsapp.appSecret,
      whatsappPhoneNumberId: whatsapp.phoneNumberId,
      githubWebhookSecret: "fuzz-github-webhook-secret",
      telegramSecretToken: "fuzz-telegram-secret-token",
      discordSigningKey: discord.signingKey,
      adminToken: "fuzz-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz",
    };
    const config = {
      store: "sqlite:./data/switchboard.db",
      server: { port: 0 },
      defaultAgent: "echo",
      admin: { token: secrets.adminToken },
      agents: { echo: { kind: "echo" } },
      channels: {
        api: { type: "http", key: secrets.apiKey },
        web: { type: "webchat", path: "/chat" },
        hook: { type: "webhook", callbackUrl: callbacks.callbackUrl, signature: { secret: callbacks.secret } },
        slack: { type: "slack", mode: "events", botToken: slack.botToken, signingSecret: slack.signingSecret, apiUrl: `${slack.url}/api/` },
        whatsapp: { type: "whatsapp", phoneNumberId: whatsapp.phoneNumberId, accessToken: whatsapp.accessToken, appSecret: whatsapp.appSecret, verifyToken: whatsapp.verifyToken, apiUrl: whatsapp.apiUrl },
        telegram: { type: "telegram", mode: "webhook", botToken: telegram.token, secretToken: secrets.telegramSecretToken, apiRoot: telegram.url },
        discord: { type: "discord", botToken: discord.botToken, publicKey: discord.publicKey, applicationId: discord.applicationId, apiUrl: discord.apiUrl, gateway: false, registerCommand: false },
        github: {
          type: "github",
          mode: "webhook",
          app: { id: github.appId, privateKey: github.privateKey, installationId: github.installationId },
          webhookSecret: secrets.githubWebhookSecret,
          apiUrl: github.url,
        },
      },
    };
    // YAML is a superset of JSON, and JSON quotes the PEM key without fuss.
    const configFile = join(dir, "switchboard.yaml");
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    // Refusals are logged as warnings; only errors (a bug of ours) are worth keeping here. The
    // heap is capped so V8 collects instead of growing lazily into a 24 GB machine: RSS then
    // shows what is retained, and a leak would end in an out-of-memory crash the tests see.
    // A master key, so channels created through the management API can keep their credentials.
    const env = { SWITCHBOARD_LOG_LEVEL: "error", SWITCHBOARD_MASTER_KEY: newMasterKey(), NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}` };
    const gateway = await startCli(["-c", configFile], { cwd: dir, env });
    closers.push(() => killHard(gateway.child));
    const pid = gateway.child.pid!;
    return {
      gateway,
      url: gateway.url,
      pid,
      secrets,
      rss: () => readRss(pid),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
