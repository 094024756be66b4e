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

export async function resolveIdentity(octokit: Octokit, app: { installationId: number } | undefined, channelId: string): Promise<BotIdentity> {
  try {
    if (app) {
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data) throw new Error("GET /app returned no app");
      await checkInstallation(octokit, app.installationId, channelId);
      const slug = data.slug ?? data.name;
      return { login: `${slug}[bot]`, appId: data.id, defaultMention: slug };
    }
    const { data: user } = await octokit.rest.users.getAuthenticated();
    return { login: user.login, defaultMention: user.login };
  } catch (error) {
    const status = statusOf(error);
    if (status === 401) {
      const what = app ? `app.id and app.privateKey` : `token`;
      throw new SwitchboardError(`GitHub refused the credentials of channel "${channelId}": check channels.${channelId}.${what}`, { status: 502, cause: error });
    }
    throw error;
  }
}

/** The installation must belong to this App: a wrong id would only show later, as failing polls. */
async function checkInstallation(octokit: Octokit, installationId: number, channelId: string): Promise<void> {
  try {
    await octokit.rest.apps.getInstallation({ installation_id: installationId });
  } catch (error) {
    if (statusOf(error) === 404) {
      throw new SwitchboardError(`the GitHub App has no installation ${installationId}: check channels.${channelId}.app.installationId (install the App, then take the id from the installation's settings URL)`, { status: 502, cause: error });
    }
    throw error;
  }
}
