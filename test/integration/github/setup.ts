/**
 * A gateway with a GitHub channel pointed at the GitHub emulator. The channel talks to the
 * emulator only through Octokit (`baseUrl` = the emulator's URL), authenticated as the emulated
 * App's installation unless a test gives a token; in webhook mode the emulator POSTs signed
 * deliveries to the gateway's channel URL.
 */
import type { TurnInput } from "../../../src/core/agent.ts";
import type { SwitchboardConfigInput } from "../../../src/config/schema.ts";
import { createGitHubChannel, type GitHubChannel, type GitHubChannelOptions } from "../../../src/channels/github/index.ts";
import type { Switchboard } from "../../../src/switchboard.ts";
import { startGitHubEmulator, type CommentRecord, type GitHubEmulator, type GitHubEmulatorOptions } from "../../emulators/github/index.ts";
import { startChannelGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";

export interface GitHubSetupOptions {
  channel?: Partial<GitHubChannelOptions>;
  emulator?: GitHubEmulatorOptions;
  /** An emulator to reuse (a second gateway on the same GitHub). */
  reuse?: GitHubEmulator;
  config?: SwitchboardConfigInput;
  setup?: (gw: Switchboard) => void;
  /** Repositories to create first (all in the installation). */
  repos?: string[];
}

export interface GitHubSetup {
  emulator: GitHubEmulator;
  t: TestGateway;
  channel: GitHubChannel;
  stop(): Promise<void>;
}

export async function startGitHubSetup(options: GitHubSetupOptions = {}): Promise<GitHubSetup> {
  const emulator = options.reuse ?? (await startGitHubEmulator(options.emulator));
  for (const repo of options.repos ?? ["acme/widgets"]) emulator.addRepo(repo);
  const channel = createGitHubChannel({
    id: "github",
    app: { id: emulator.appId, privateKey: emulator.privateKey, installationId: emulator.installationId },
    apiUrl: emulator.url,
    pollIntervalMs: 150,
    ...options.channel,
  });
  const { t, stop } = await startChannelGateway({ channel, emulator, ownsEmulator: !options.reuse, config: options.config ?? {}, setup: options.setup });
  return {
    emulator,
    t,
    channel,
    stop,
  };
}

/** Answers `ok: <the request>`; asked for "a long answer", answers with `longAnswer`. */
export function recordingAgent(): { inputs: TurnInput[]; run: (input: TurnInput) => Promise<string> } {
  const inputs: TurnInput[] = [];
  return {
    inputs,
    run: async (input) => {
      inputs.push(input);
      const requests = input.messages.map((m) => m.text.split("\n").at(-1));
      return requests.some((r) => r?.includes("a long answer")) ? longAnswer : `ok: ${requests.join(" + ")}`;
    },
  };
}

/** 30,000 words, about 190,000 characters: three GitHub comments. */
export const longAnswer = Array.from({ length: 30_000 }, (_, i) => `w${i}`).join(" ");

/** The bot's comments (placeholders and answers), optionally on one issue. */
export function botComments(emulator: GitHubEmulator, filter: { repo?: string; number?: number } = {}): CommentRecord[] {
  return emulator.comments({ ...filter, user: emulator.botLogin });
}

/** Waits until the bot's comments on an issue no longer include a placeholder, and there are `count`. */
export function answers(emulator: GitHubEmulator, repo: string, number: number, count = 1, timeoutMs = 10_000): Promise<CommentRecord[]> {
  return waitFor(
    () => {
      const comments = botComments(emulator, { repo, number });
      const done = comments.filter((c) => !c.body.startsWith("Processing…"));
      return done.length >= count && done.length === comments.length ? comments : undefined;
    },
    { what: `${count} answer(s) on ${repo}#${number}`, timeoutMs },
  );
}

/** The visible part of a comment: without our hidden marker. */
export function visible(body: string): string {
  return body.replace(/\n*<!-- switchboard:[^>]*-->\s*$/, "");
}

/** The echo agent repeats the whole prompt (context first): its last line is the request. */
export function request(body: string): string {
  return visible(body).split("\n").at(-1) ?? "";
}
