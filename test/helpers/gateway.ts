/** Starts real in-process gateways for tests: a temp SQLite file, port 0, quiet logs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, type Switchboard } from "../../src/switchboard.ts";
import type { SwitchboardConfigInput } from "../../src/config/schema.ts";
import { createLogger } from "../../src/core/log.ts";
import type { Channel } from "../../src/core/channel.ts";

export interface TestGateway {
  gw: Switchboard;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** The admin token `startGateway` configures: the management API (`/v1/sessions`, `/v1/pairing`) wants it. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789-abcdefghijklmnop";

/** Headers that let a test call the management API of a gateway configured with `TEST_ADMIN_TOKEN`. */
export const adminHeaders: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

export function tempDir(prefix = "switchboard-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startGateway(config: SwitchboardConfigInput = {}, setup?: (gw: Switchboard) => void): Promise<TestGateway> {
  const dir = tempDir();
  const gw = createGateway({
    config: {
      store: `sqlite:${join(dir, "test.db")}`,
      defaultAgent: "helper",
      agents: { helper: { kind: "echo" } },
      channels: { api: { type: "http" } },
      admin: { token: TEST_ADMIN_TOKEN },
      ...config,
      server: { port: 0, ...config.server },
    },
    log: createLogger({ level: process.env.TEST_LOG ? "debug" : "error" }),
  });
  setup?.(gw);
  await gw.start();
  return {
    gw,
    url: gw.url!,
    dir,
    async stop() {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A gateway with one platform channel, beside the emulator of that platform: if the gateway
 * cannot start the emulator is closed too, and `stop` stops both (the emulator only if this
 * setup owns it, not when a test reuses one across gateways).
 */
export async function startChannelGateway(options: {
  channel: Channel;
  emulator: { close(): Promise<void> };
  ownsEmulator?: boolean;
  config?: SwitchboardConfigInput;
  setup?: (gw: Switchboard) => void;
}): Promise<{ t: TestGateway; stop(): Promise<void> }> {
  const closeEmulator = () => (options.ownsEmulator === false ? Promise.resolve() : options.emulator.close());
  let t: TestGateway;
  try {
    t = await startGateway(options.config ?? {}, (gw) => {
      gw.addChannel(options.channel);
      options.setup?.(gw);
    });
  } catch (error) {
    await closeEmulator();
    throw error;
  }
  return {
    t,
    async stop() {
      await t.stop();
      await closeEmulator();
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the test sees the raw text.
  }
  return { status: response.status, body: parsed };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json() };
}

/** Parse an SSE body into `{event, data}` frames. */
export function parseSse(text: string): Array<{ event: string; data: any }> {
  return text
    .split("\n\n")
    .filter((frame) => frame.trim())
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? "null";
      return { event, data: JSON.parse(data) };
    });
}

export async function waitFor<T>(check: () => T | Promise<T>, options: { timeoutMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? "condition"}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
