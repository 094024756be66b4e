/**
 * Who the channel is on GitHub: the App's bot user (`<slug>[bot]`) or the token's user. Its own
 * comments are never answered, and, unless configured, the mention name is this identity's.
 */
import type { Octokit } from "@octokit/rest";
import { SwitchboardError } from "../../core/errors.ts";
import { statusOf } from "./client.ts";

export interface BotIdentity {
  login: string;
  /** Set with App auth: comments the App posted carry its id. */
  appId?: number;
  /** The name people @mention: the App's slug, or the token user's login. */
  defaultMention: string;
}

export async function resolveIdentity(octokit: Octokit, usesApp: boolean, channelId: string): Promise<BotIdentity> {
  try {
    if (usesApp) {
      const { data: app } = await octokit.rest.apps.getAuthenticated();
      if (!app) throw new Error("GET /app returned no app");
      const slug = app.slug ?? app.name;
      return { login: `${slug}[bot]`, appId: app.id, defaultMention: slug };
    }
    const { data: user } = await octokit.rest.users.getAuthenticated();
    return { login: user.login, defaultMention: user.login };
  } catch (error) {
    const status = statusOf(error);
    if (status === 401) {
      const what = usesApp ? `app.id and app.privateKey` : `token`;
      throw new SwitchboardError(`GitHub refused the credentials of channel "${channelId}": check channels.${channelId}.${what}`, { status: 502, cause: error });
    }
    throw error;
  }
}

/** True for errors that waiting cannot fix: wrong credentials, a missing installation or repo. */
export function isPermanent(error: unknown): boolean {
  const status = statusOf(error);
  return error instanceof SwitchboardError ? error.status === 502 && statusOf((error as { cause?: unknown }).cause) === 401 : status === 401 || status === 404;
}
