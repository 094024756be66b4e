/**
 * Where a first message goes on GitHub: a comment on an issue or pull request, named
 * `owner/repo#123` (or by its github.com URL), in one of the channel's repositories. The address
 * is the issue's conversation, the same one a mention on it later arrives in.
 */
import type { Octokit } from "@octokit/rest";
import type { Address } from "../../core/channel.ts";
import { RequestError } from "../../core/errors.ts";
import type { ReplyRef } from "./api.ts";
import { statusOf } from "./client.ts";
import { conversationId } from "./comment.ts";
import { deliveryError, NO_MENTION } from "./egress.ts";

export const GITHUB_TARGET_FORMS = "owner/repo#123 (an issue or pull request), or its https://github.com/owner/repo/issues/123 URL";

export interface GitHubTargetSettings {
  /** The configured repositories; empty: any the App installation can reach. */
  repos: readonly string[];
  channelId: string;
  now?: () => number;
}

export async function resolveGitHubTarget(octokit: Octokit, settings: GitHubTargetSettings, to: string): Promise<Address> {
  const target = to.trim();
  const parsed =
    /^([\w.-]+)\/([\w.-]+)#(\d+)$/.exec(target) ??
    /^https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\/(?:issues|pull)\/(\d+)\/?(?:[?#].*)?$/.exec(target);
  if (!parsed) throw new RequestError(400, target ? `"${target}" is not a GitHub issue; write ${GITHUB_TARGET_FORMS}` : `no GitHub target given; write ${GITHUB_TARGET_FORMS}`);
  const [, owner, name, digits] = parsed as unknown as [string, string, string, string];
  const number = Number(digits);
  if (!Number.isSafeInteger(number) || number < 1) throw new RequestError(400, `#${digits} is not an issue number`);

  // GitHub's names are case-insensitive; the channel's sessions use the spelling its repos list has.
  const configured = settings.repos.find((repo) => repo.toLowerCase() === `${owner}/${name}`.toLowerCase());
  if (settings.repos.length > 0 && configured === undefined) {
    throw new RequestError(422, `${owner}/${name} is not one of channel "${settings.channelId}"'s repositories (${settings.repos.join(", ")})`);
  }
  let issue: { repository_url?: string };
  try {
    issue = (await octokit.rest.issues.get({ owner, repo: name, issue_number: number })).data;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) throw new RequestError(404, `no issue or pull request ${owner}/${name}#${number}, or the channel cannot see ${owner}/${name}`);
    if (status === 410) throw new RequestError(404, `${owner}/${name}#${number} was deleted`);
    throw deliveryError(error, settings.channelId);
  }
  const repo = configured ?? /\/repos\/([^/]+\/[^/]+)$/.exec(issue.repository_url ?? "")?.[1] ?? `${owner}/${name}`;
  const ref: ReplyRef = { kind: "issue", repo, number, commentId: NO_MENTION, createdAt: new Date((settings.now ?? Date.now)()).toISOString() };
  return { conversation: conversationId(repo, number), ref: JSON.stringify(ref) };
}
