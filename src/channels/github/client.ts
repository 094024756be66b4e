/**
 * The channel's Octokit: authenticated as a GitHub App installation (installation tokens minted
 * and refreshed by `@octokit/auth-app`) or with a token, and every request passed through the
 * rate guard, with a timeout, and cut short when the channel stops.
 */
import { Octokit } from "@octokit/rest";
import { createAppAuth } from "@octokit/auth-app";
import type { Logger } from "../../core/log.ts";
import type { RateGuard } from "./rate-guard.ts";
import { RateLimitedError } from "./rate-guard.ts";

export type GitHubAuth = { token: string } | { app: { id: number; privateKey: string; installationId: number } };

export const GITHUB_API_URL = "https://api.github.com";

export interface ClientOptions {
  auth: GitHubAuth;
  apiUrl?: string;
  guard: RateGuard;
  log: Logger;
  timeoutMs?: number;
}

export function createGitHubClient(options: ClientOptions): Octokit {
  const common = {
    baseUrl: (options.apiUrl ?? GITHUB_API_URL).replace(/\/+$/, ""),
    userAgent: "switchboard",
    log: octokitLogger(options.log),
  };
  const octokit =
    "token" in options.auth
      ? new Octokit({ ...common, auth: options.auth.token })
      : new Octokit({
          ...common,
          authStrategy: createAppAuth,
          auth: { appId: options.auth.app.id, privateKey: options.auth.app.privateKey, installationId: options.auth.app.installationId },
        });
  const { guard } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    const write = requestOptions.method !== "GET" && requestOptions.method !== "HEAD";
    for (let attempt = 1; ; attempt++) {
      await guard.beforeRequest(write);
      try {
        const signal = AbortSignal.any([guard.signal, AbortSignal.timeout(timeoutMs)]);
        const response = await request({ ...requestOptions, request: { ...requestOptions.request, signal } });
        guard.observe(response.headers as Record<string, string | number | undefined>);
        return response;
      } catch (error) {
        if (guard.signal.aborted) throw guard.signal.reason;
        const delay = guard.retryDelay(error, attempt);
        if (delay === undefined) throw error;
        if (delay > guard.maxInlineWaitMs) throw new RateLimitedError(delay, error);
        options.log.info("GitHub request failed; retrying", { method: requestOptions.method, route: requestOptions.url, status: statusOf(error), attempt, retryInMs: delay });
        await guard.sleep(delay);
      }
    }
  });
  return octokit;
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

/** Octokit's own log lines (deprecations, auth-app clock-skew warnings), through ours. */
function octokitLogger(log: Logger) {
  return {
    debug: () => {},
    info: (message: string) => log.debug(message, { source: "octokit" }),
    warn: (message: string) => log.warn(message, { source: "octokit" }),
    error: (message: string) => log.warn(message, { source: "octokit" }),
  };
}
