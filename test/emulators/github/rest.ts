/**
 * The REST pipeline, in GitHub's order: credentials (401 when bad), injected failures (secondary
 * limits, 5xx), the primary rate limit (403 at zero; `/rate_limit` is free), the route (404 when
 * unknown), who may call it, then the handler. Every answer carries the rate-limit headers and an
 * `x-github-request-id`, and every request is logged for tests.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { JWT_UNDECODABLE, type Credentials, type Identity } from "./auth.ts";
import { compilePath, GitHubError, notFound, readJsonObject, type Call, type Reply, type Route } from "./http.ts";
import { primaryLimitMessage, RATE_LIMIT_DOCS, rateHeaders, requestId, secondaryLimitMessage, SERVER_ERROR_MESSAGES, type FailureQueue, type InjectedFailure, type PrimaryRateLimits } from "./rate-limits.ts";
import type { RepoStore } from "./repos.ts";

export interface RequestRecord {
  method: string;
  /** The path as requested, without its query. */
  path: string;
  status: number;
  /** Who it acted as: a user's login, the bot's login, `app` (JWT), `anonymous`, or `invalid` (bad credentials). */
  identity: string;
}

export interface RestDeps {
  routes: Route[];
  credentials: Credentials;
  limits: PrimaryRateLimits;
  failures: FailureQueue;
  store: RepoStore;
  requests: RequestRecord[];
}

const COMMON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-github-media-type": "github.v3; format=json",
  "x-github-api-version-selected": "2022-11-28",
};

export function createRestHandler(deps: RestDeps) {
  const compiled = deps.routes.map((route) => ({ route, ...compilePath(route.path) }));

  function match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const c of compiled) {
      if (c.route.method !== method) continue;
      const m = c.regex.exec(path);
      if (m) return { route: c.route, params: Object.fromEntries(c.names.map((name, i) => [name, m[i + 1] ?? ""])) };
    }
    return undefined;
  }

  /** GitHub's Link URLs name repositories by id: `/repositories/1296269/issues/comments` is `/repos/o/r/issues/comments`. */
  function canonicalPath(path: string): string {
    const m = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    const repo = m ? deps.store.repoById(Number(m[1])) : undefined;
    return repo ? `/repos/${repo.fullName}${m?.[2] ?? ""}` : path;
  }

  function failureReply(failure: InjectedFailure, id: string, nowMs: number): never {
    const retry = failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : undefined;
    if (failure.status === 403 || failure.status === 429) {
      throw new GitHubError(failure.status, secondaryLimitMessage(id, nowMs), { docs: `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`, ...(retry ? { headers: retry } : {}) });
    }
    throw new GitHubError(failure.status, SERVER_ERROR_MESSAGES[failure.status] ?? "Server Error", retry ? { headers: retry } : {});
  }

  async function serve(req: IncomingMessage, method: string, path: string, query: URLSearchParams, identity: Identity | undefined, authError: string | undefined, id: string, nowMs: number): Promise<Reply> {
    if (!identity) throw new GitHubError(401, authError ?? "Bad credentials");
    const found = match(method, canonicalPath(path));
    const failure = deps.failures.take(method, path);
    if (failure) failureReply(failure, id, nowMs);
    if (found?.route.path !== "/rate_limit" && !deps.limits.spend(identity.name, nowMs)) {
      throw new GitHubError(403, primaryLimitMessage(identity.kind === "anonymous" ? "your IP address" : identity.subject, id, nowMs), { docs: RATE_LIMIT_DOCS });
    }
    if (!found) throw notFound();
    const { route, params } = found;
    if (route.auth === "app" && identity.kind !== "app") throw new GitHubError(401, JWT_UNDECODABLE);
    if (route.auth === "token" && identity.kind === "anonymous") throw new GitHubError(401, "Requires authentication", { docs: route.docs });
    if (route.auth === "token" && identity.kind === "app") throw new GitHubError(403, "Resource not accessible by integration", { docs: route.docs });
    const body = method === "POST" || method === "PATCH" ? await readJsonObject(req) : {};
    const call: Call = { method, path: canonicalPath(path), params, query, body, identity, nowMs };
    return route.handle(call);
  }

  return async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const nowMs = Date.now();
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const id = requestId();
    const auth = deps.credentials.authenticate(req.headers.authorization, nowMs);
    const identity = auth.ok ? auth.identity : undefined;
    let reply: Reply;
    try {
      reply = await serve(req, method, url.pathname, url.searchParams, identity, auth.ok ? undefined : auth.message, id, nowMs);
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      reply = { status: error.status, body: error.body, headers: error.headers };
    }
    const rate = deps.limits.state(identity?.name ?? "anonymous", nowMs);
    deps.requests.push({ method, path: url.pathname, status: reply.status, identity: identity?.name ?? "invalid" });
    res.writeHead(reply.status, { ...COMMON_HEADERS, ...rateHeaders(rate), "x-github-request-id": id, ...reply.headers });
    res.end(reply.status === 204 ? undefined : JSON.stringify(reply.body));
    req.resume(); // drain a body the pipeline refused before reading
  };
}
