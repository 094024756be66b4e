/**
 * The App and who is calling: the App (JWT) reads itself and its installation and mints
 * installation tokens; an installation token lists the installation's repositories; a PAT reads
 * its user; anyone reads their rate limit (which does not count against it).
 */
import { GitHubError, notFound, type Route } from "./http.ts";
import { paginate } from "./pagination.ts";
import { APP_PERMISSIONS } from "./payloads.ts";
import { isoSeconds } from "./repos.ts";
import { docs, repoFor, type RouteDeps } from "./routes-common.ts";

export function appRoutes(deps: RouteDeps): Route[] {
  const { store, payloads, app } = deps;
  const ourInstallation = (id: string | undefined): void => {
    if (Number(id) !== app.installationId) throw notFound();
  };
  const listRepos = docs("apps/installations#list-repositories-accessible-to-the-app-installation");
  const getUser = docs("users/users#get-the-authenticated-user");
  return [
    {
      method: "GET",
      path: "/app",
      docs: docs("apps/apps#get-the-authenticated-app"),
      auth: "app",
      handle: () => ({ status: 200, body: payloads.integration() }),
    },
    {
      method: "GET",
      path: "/app/installations",
      docs: docs("apps/apps#list-installations-for-the-authenticated-app"),
      auth: "app",
      handle: () => ({ status: 200, body: [payloads.installation()] }),
    },
    {
      method: "GET",
      path: "/app/installations/{installation_id}",
      docs: docs("apps/apps#get-an-installation-for-the-authenticated-app"),
      auth: "app",
      handle(call) {
        ourInstallation(call.params.installation_id);
        return { status: 200, body: payloads.installation() };
      },
    },
    {
      method: "POST",
      path: "/app/installations/{installation_id}/access_tokens",
      docs: docs("apps/apps#create-an-installation-access-token-for-an-app"),
      auth: "app",
      handle(call) {
        ourInstallation(call.params.installation_id);
        const { token, expiresAtMs } = deps.credentials.mintInstallationToken(call.nowMs);
        return { status: 201, body: { token, expires_at: isoSeconds(expiresAtMs), permissions: { ...APP_PERMISSIONS }, repository_selection: "selected" } };
      },
    },
    {
      method: "GET",
      path: "/repos/{owner}/{repo}/installation",
      docs: docs("apps/apps#get-a-repository-installation-for-the-authenticated-app"),
      auth: "app",
      handle(call) {
        if (!repoFor(deps, call).installed) throw notFound();
        return { status: 200, body: payloads.installation() };
      },
    },
    {
      method: "GET",
      path: "/installation/repositories",
      docs: listRepos,
      auth: "token",
      handle(call) {
        if (call.identity.kind !== "installation") {
          throw new GitHubError(403, "You must authenticate with an installation access token in order to list repositories for an installation.", { docs: listRepos });
        }
        const installed = store.repos().filter((r) => r.installed);
        const page = paginate(installed, call.query, `${payloads.api}/installation/repositories`);
        const body = { total_count: installed.length, repository_selection: "selected", repositories: page.items.map((r) => payloads.repo(r)) };
        return { status: 200, body, ...(page.link ? { headers: { link: page.link } } : {}) };
      },
    },
    {
      method: "GET",
      path: "/user",
      docs: getUser,
      auth: "token",
      handle(call) {
        if (call.identity.kind !== "user") throw new GitHubError(403, "Resource not accessible by integration", { docs: getUser });
        return { status: 200, body: payloads.authenticatedUser(call.identity.name) };
      },
    },
    {
      method: "GET",
      path: "/users/{username}",
      docs: docs("users/users#get-a-user"),
      auth: "any",
      handle(call) {
        const login = call.params.username!;
        if (!deps.store.account(login)) throw new GitHubError(404, "Not Found", { docs: docs("users/users#get-a-user") });
        return { status: 200, body: payloads.authenticatedUser(login) };
      },
    },
    {
      method: "GET",
      path: "/rate_limit",
      docs: docs("rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user"),
      auth: "any",
      handle(call) {
        const core = deps.limits.state(call.identity.name, call.nowMs);
        const fresh = (limit: number) => ({ limit, used: 0, remaining: limit, reset: Math.ceil(call.nowMs / 1000) + 3600 });
        const resources = { core, search: fresh(30), graphql: fresh(5000), integration_manifest: fresh(5000), code_search: fresh(10) };
        return { status: 200, body: { resources, rate: core } };
      },
    },
  ];
}
