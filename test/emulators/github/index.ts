/**
 * A local GitHub for tests and trying Switchboard without a GitHub App. It speaks the REST
 * subset the GitHub channel uses with GitHub's shapes, status codes, pagination and rate-limit
 * headers, authenticates PATs, App JWTs (RS256) and installation tokens, and delivers signed App
 * webhooks. Talk to it with the official client: `new Octokit({ baseUrl: emulator.url, auth })`,
 * or `authStrategy: createAppAuth` with `emulator.appId`, `privateKey` and `installationId`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Credentials } from "./auth.ts";
import { Payloads, type AppInfo } from "./payloads.ts";
import { FailureQueue, PrimaryRateLimits, type InjectedFailure } from "./rate-limits.ts";
import { isoSeconds, replyPlacement, RepoStore, type CommentEvent, type CommentRecord, type StoredComment } from "./repos.ts";
import { createRestHandler, type RequestRecord } from "./rest.ts";
import { appRoutes } from "./routes-app.ts";
import { MAX_COMMENT_LENGTH } from "./routes-common.ts";
import { issueRoutes } from "./routes-issues.ts";
import { pullRoutes } from "./routes-pulls.ts";
import { WebhookSender, type DeliveryRecord } from "./webhooks.ts";

export type { CommentRecord } from "./repos.ts";
export type { DeliveryRecord } from "./webhooks.ts";
export type { RequestRecord } from "./rest.ts";
export type { InjectedFailure } from "./rate-limits.ts";
export { hubSignatures, DELIVERY_TIMEOUT_MS } from "./webhooks.ts";
export { MAX_COMMENT_LENGTH } from "./routes-common.ts";

export interface GitHubEmulatorOptions {
  port?: number;
  appId?: number;
  appSlug?: string;
  installationId?: number;
  /** The primary ("core") budget per identity per window; GitHub's is 5000 an hour. */
  rateLimit?: number;
  rateLimitWindowMs?: number;
  /** How long an installation token lives; GitHub's live an hour. */
  tokenTtlMs?: number;
  webhookUrl?: string;
  webhookSecret?: string;
}

export interface GitHubEmulator {
  /** Base URL for Octokit's `baseUrl`, e.g. http://127.0.0.1:PORT (REST paths at the root, like api.github.com). */
  url: string;
  appId: number;
  appSlug: string;
  installationId: number;
  /** The App's bot account, `${appSlug}[bot]`: who installation tokens act as. */
  botLogin: string;
  /** The App's private key (PKCS#1 PEM, as GitHub hands it out). */
  privateKey: string;
  /** Add a repository; `installed` (default true) puts it in the App's installation. */
  addRepo(fullName: string, opts?: { installed?: boolean }): void;
  /** Add a user (or machine user); returns a personal access token acting as them, the same one each time. */
  addUser(login: string, opts?: { type?: "User" | "Bot"; email?: string }): string;
  /** Open an issue, or (pull: true) a pull request; returns its number (issues and pulls share a numbering). */
  addIssue(repo: string, opts: { title: string; body?: string; user: string; pull?: boolean }): number;
  /** A conversation comment by that user, as if posted on github.com (fires the webhook). */
  addComment(repo: string, number: number, opts: { user: string; body: string }): CommentRecord;
  /** A review comment on a pull request's diff, or a reply in a thread (`inReplyTo`). */
  addReviewComment(repo: string, pull: number, opts: { user: string; body: string; path?: string; line?: number; inReplyTo?: number }): CommentRecord;
  /** Issue and review comments as they stand now, in creation order. */
  comments(filter?: { repo?: string; number?: number; user?: string }): CommentRecord[];
  reactions(commentId: number): Array<{ content: string; user: string }>;
  /** Every REST request served, in order. */
  readonly requests: RequestRecord[];
  /** Set an identity's primary budget (default: the bot); at 0 requests get GitHub's 403 until the reset, then it refills. */
  setRateLimit(opts: { remaining: number; resetInMs?: number; identity?: string }): void;
  /** The next `count` matching requests fail; 403/429 are secondary rate limits (with `retry-after` when given). */
  failNext(count: number, failure: InjectedFailure): void;
  setWebhook(url: string, secret: string): void;
  /** Where webhooks go (undefined: nowhere, so poll), and the secret they are signed with ("" = unsigned). */
  readonly webhookUrl: string | undefined;
  readonly webhookSecret: string;
  /** Every webhook delivery (and redelivery) so far, in the order they were sent. */
  readonly deliveries: DeliveryRecord[];
  /** Send a delivery again with the same GUID and body, like GitHub's "Redeliver"; resolves with the receiver's status. */
  redeliver(deliveryId: string): Promise<number>;
  /** Resolves when no webhook delivery is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The public record of a stored comment, detached from the emulator's state. */
function publicRecord(c: StoredComment): CommentRecord {
  return {
    id: c.id, kind: c.kind, repo: c.repo, number: c.number, user: c.user, body: c.body, createdAt: c.createdAt, updatedAt: c.updatedAt,
    edits: [...c.edits], ...(c.inReplyTo !== undefined ? { inReplyTo: c.inReplyTo } : {}), viaApp: c.viaApp,
  };
}

function checkLength(body: string): void {
  if ([...body].length > MAX_COMMENT_LENGTH) throw new Error(`github emulator: GitHub refuses comment bodies over ${MAX_COMMENT_LENGTH} characters`);
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const appSlug = options.appSlug ?? "switchboard";
  const app: AppInfo = {
    id: options.appId ?? 1001,
    slug: appSlug,
    clientId: `Iv23li${(options.appId ?? 1001).toString(16).padStart(14, "0")}`,
    installationId: options.installationId ?? 2002,
    botLogin: `${appSlug}[bot]`,
    createdAt: isoSeconds(),
  };
  const store = new RepoStore();
  store.addAccount(app.botLogin, "Bot", 41_000_000 + app.id);
  const credentials = new Credentials({ appId: app.id, clientId: app.clientId, installationId: app.installationId, botLogin: app.botLogin, tokenTtlMs: options.tokenTtlMs ?? 3_600_000, store });
  const limits = new PrimaryRateLimits(options.rateLimit ?? 5000, options.rateLimitWindowMs ?? 3_600_000);
  const failures = new FailureQueue();
  const webhooks = new WebhookSender(app.id);
  webhooks.configure(options.webhookUrl, options.webhookSecret);
  const requests: RequestRecord[] = [];

  // Routes need the URL (payloads link to the emulator), so they attach once the port is known.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const payloads = new Payloads(store, app, url);
  const deps = { store, payloads, credentials, limits, app };
  const handleRest = createRestHandler({ routes: [...appRoutes(deps), ...issueRoutes(deps), ...pullRoutes(deps)], credentials, limits, failures, store, requests });
  server.on("request", (req, res) => {
    void handleRest(req, res).catch((error: unknown) => {
      console.error("github emulator:", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ message: "Server Error" }));
      else res.destroy();
    });
  });

  /** App webhooks fire for repositories in the installation, for every comment created or edited there. */
  store.onComment = (event: CommentEvent) => {
    const c = event.comment;
    const repo = store.repo(c.repo);
    const issue = store.issue(c.repo, c.number);
    if (!repo?.installed || !issue) return;
    const changes = event.action === "edited" ? { changes: { body: { from: event.previousBody } } } : {};
    const sender = payloads.user(event.action === "edited" ? event.editor : c.user);
    const tail = { repository: payloads.repo(repo), sender, installation: { id: app.installationId, node_id: Buffer.from(`installation:${app.installationId}`).toString("base64") } };
    if (c.kind === "issue") webhooks.send("issue_comment", { action: event.action, issue: payloads.issue(issue), comment: payloads.comment(c), ...changes, ...tail });
    else webhooks.send("pull_request_review_comment", { action: event.action, comment: payloads.comment(c), pull_request: payloads.pull(issue), ...changes, ...tail });
  };

  return {
    url,
    appId: app.id,
    appSlug,
    installationId: app.installationId,
    botLogin: app.botLogin,
    privateKey: credentials.privateKey,
    addRepo: (fullName, opts = {}) => void store.addRepo(fullName, opts.installed ?? true),
    addUser(login, opts = {}) {
      // An owner first seen through addRepo was taken for an organization; adding it as a user says otherwise.
      const account = store.addAccount(login, opts.type ?? "User");
      if (opts.type || account.type === "Organization") account.type = opts.type ?? "User";
      if (opts.email !== undefined) account.email = opts.email;
      return credentials.patFor(login);
    },
    addIssue: (repo, opts) => store.addIssue(repo, opts).number,
    addComment(repo, number, opts) {
      checkLength(opts.body);
      return publicRecord(store.addComment({ kind: "issue", repo, number, user: opts.user, body: opts.body, viaApp: false }));
    },
    addReviewComment(repo, pull, opts) {
      checkLength(opts.body);
      const issue = store.issue(repo, pull);
      const parent = opts.inReplyTo !== undefined ? store.comment(opts.inReplyTo) : undefined;
      if (opts.inReplyTo !== undefined && (parent?.kind !== "review" || parent.number !== pull)) throw new Error(`github emulator: no review comment ${opts.inReplyTo} on ${repo}#${pull}`);
      const place = parent
        ? replyPlacement(parent)
        : { path: opts.path ?? "README.md", line: opts.line ?? 1, commitId: issue?.headSha };
      return publicRecord(store.addComment({ kind: "review", repo, number: pull, user: opts.user, body: opts.body, viaApp: false, ...place }));
    },
    comments: (filter = {}) => store.comments(filter).map(publicRecord),
    reactions: (commentId) => store.reactions(commentId).map(({ content, user }) => ({ content, user })),
    requests,
    setRateLimit: (opts) => limits.set(opts.identity ?? app.botLogin, opts.remaining, opts.resetInMs),
    failNext: (count, failure) => failures.add(count, failure),
    setWebhook: (webhookUrl, secret) => webhooks.configure(webhookUrl, secret),
    get webhookUrl() {
      return webhooks.url;
    },
    get webhookSecret() {
      return webhooks.secret;
    },
    deliveries: webhooks.deliveries,
    redeliver: (deliveryId) => webhooks.redeliver(deliveryId),
    idle: () => webhooks.idle(),
    close() {
      webhooks.close();
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
