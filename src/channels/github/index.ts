/**
 * The `github` channel: people @mention the agent in issue and pull request comments (and review
 * comments), and the answer comes back as a comment from the App's bot user (or the token's
 * user). By default it polls, so the gateway needs no public URL; webhook mode takes GitHub's
 * signed deliveries and keeps a slow catch-up poll for anything delivered while it was down.
 * One session per issue or PR; the agent gets the title, body and URL with every mention.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Octokit } from "@octokit/rest";
import type { Address, Channel, ChannelContext, ChannelRequest, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { SwitchboardError } from "../../core/errors.ts";
import type { GatewayEvent } from "../../core/events.ts";
import type { ThreadStrategy } from "../../core/router.ts";
import { UserEmails } from "./user-emails.ts";
import { GitHubApi } from "./api.ts";
import { createGitHubClient, statusOf, type GitHubAuth } from "./client.ts";
import { commentKey, type GitHubComment } from "./comment.ts";
import { IssueContexts } from "./context.ts";
import { deliveryError, GitHubReplies, parseRef } from "./egress.ts";
import { Feedback } from "./feedback.ts";
import { resolveIdentity, type BotIdentity } from "./identity.ts";
import { ingestComment, replyRef, type InboundOutcome } from "./inbound.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { MAX_COMMENT_LENGTH } from "./markers.ts";
import { CommentPoller } from "./poller.ts";
import { PollerLease } from "../../core/poller-lease.ts";
import { RateGuard } from "./rate-guard.ts";
import { settleNote, unansweredMentions } from "./settle.ts";
import { TaskQueue } from "./task-queue.ts";
import { resolveGitHubTarget } from "./target.ts";
import { GitHubWebhook } from "./webhook.ts";

export interface GitHubChannelOptions {
  id: string;
  /** `poll` (default) needs no public URL; `webhook` takes GitHub's deliveries at /channels/<id>. */
  mode?: "poll" | "webhook";
  /** A token (a machine user's PAT); or `app`. */
  token?: string;
  app?: { id: number; privateKey: string; installationId: number };
  /** `owner/name` of the watched repositories; empty: every repository of the App installation. */
  repos?: string[];
  /** The name people @mention; the App's slug (or the token user's login) by default. */
  mentionName?: string;
  /** GitHub login → email: the sender's email for access allowlists and identity links. */
  userMap?: Record<string, string>;
  /** For logins not in `userMap`, use the public email on their profile (one API read per login per hour). */
  publicEmails?: boolean;
  /** 15 s in poll mode; the catch-up poll of webhook mode runs every 5 min. */
  pollIntervalMs?: number;
  /** How far back each poll reads again, for comments GitHub lists late. 60 s by default. */
  overlapMs?: number;
  webhookSecret?: string;
  /** GitHub Enterprise Server (`https://ghe.example.com/api/v3`) or an emulator. */
  apiUrl?: string;
  /** The placeholder comment that the answer replaces. */
  processingText?: string;
  /** How long the poller lease lasts unrenewed (15 s): another gateway takes over this long after the poller died. */
  pollerLeaseTtlMs?: number;
  /** Requests left at which polling pauses until the rate limit resets (2% of the limit by default). */
  rateLimitReserve?: number;
  threadStrategy?: ThreadStrategy;
}

/** How long the start waits to learn who we are on GitHub before going on without it. */
const identityWaitMs = 2000;

export class GitHubChannel implements Channel {
  readonly id: string;
  readonly type = "github";
  /** Answers are edited into the placeholder, but never streamed: only the final answer is posted. */
  readonly capabilities = { edit: true, stream: false, threads: false, typing: false };
  readonly maxMessageLength = MAX_COMMENT_LENGTH;
  readonly threadStrategy: ThreadStrategy | undefined;
  private readonly options: GitHubChannelOptions;
  private readonly auth: GitHubAuth;
  private ctx: ChannelContext | undefined;
  private guard: RateGuard | undefined;
  private octokit: Octokit | undefined;
  private api: GitHubApi | undefined;
  private identity: BotIdentity | undefined;
  private contexts: IssueContexts | undefined;
  private replies: GitHubReplies | undefined;
  private poller: CommentPoller | undefined;
  private webhook: GitHubWebhook | undefined;
  private feedbackQueue: TaskQueue | undefined;
  private unsubscribe: (() => void) | undefined;
  private identityAttempt: Promise<void> | undefined;
  private lease: PollerLease | undefined;

  private userEmails: UserEmails | undefined;
  constructor(options: GitHubChannelOptions) {
    this.id = options.id;
    this.options = options;
    this.threadStrategy = options.threadStrategy;
    this.auth = checkOptions(options);
  }

  async start(ctx: ChannelContext): Promise<void> {
    const startedAt = Date.now();
    this.ctx = ctx;
    const log = ctx.log;
    const guard = (this.guard = new RateGuard({ log, ...(this.options.rateLimitReserve !== undefined ? { reserve: this.options.rateLimitReserve } : {}) }));
    const octokit = (this.octokit = createGitHubClient({ auth: this.auth, apiUrl: this.options.apiUrl, guard, log }));
    const api = (this.api = new GitHubApi(octokit));
    this.userEmails = new UserEmails({
      userMap: this.options.userMap,
      ...(this.options.publicEmails ? { lookup: (login: string) => api.publicEmail(login) } : {}),
      log: () => this.log,
    });
    const lock = new KeyedLock();
    const self = () => this.identity?.login ?? "";
    const feedback = new Feedback({ api, state: ctx.state, lock, log, self, text: this.options.processingText ?? "Processing…", sleep: (ms) => guard.sleep(ms) });
    this.replies = new GitHubReplies({ api, feedback, state: ctx.state, lock, self, channelId: this.id });
    this.contexts = new IssueContexts(octokit);
    const queue = (this.feedbackQueue = new TaskQueue((error) => log.debug("feedback task ended", { error })));

    // Wrong credentials fail the start at once; a GitHub that is slow or down does not hold it up.
    const attempt = this.resolveIdentity().then(() => undefined, (error: unknown) => error);
    const early = await Promise.race([attempt, sleep(identityWaitMs, "slow")]);
    if (early !== undefined && early !== "slow") throw early;
    const ingest = (comment: GitHubComment) => this.ingest(comment, (ref, answered) => queue.push(() => feedback.acknowledge(ref, answered)));
    if (this.options.mode === "webhook") {
      this.webhook = new GitHubWebhook({ secret: this.options.webhookSecret!, log: () => this.log, remember: (repo, n, c) => this.contexts?.remember(repo, n, c), ingest });
    }
    this.unsubscribe = ctx.events.subscribe((event) => this.onEvent(event));
    const pollIntervalMs = this.options.pollIntervalMs ?? (this.options.mode === "webhook" ? 300_000 : 15_000);
    // One poller among the gateways sharing the store; a standby takes over within the lease's time.
    const lease = (this.lease = new PollerLease({ name: `github-poller:${this.id}`, ttlMs: this.options.pollerLeaseTtlMs ?? 15_000, leases: ctx.leases, log, what: "the GitHub poller", onAcquired: () => this.poller?.pollNow() }));
    lease.start();
    this.poller = new CommentPoller({
      octokit,
      guard,
      state: ctx.state,
      log: () => this.log,
      repos: this.options.repos ?? [],
      intervalMs: pollIntervalMs,
      overlapMs: this.options.overlapMs ?? 60_000,
      ingest: async (comment) => {
        const outcome = await ingest(comment);
        return outcome.status === "accepted" || outcome.status === "duplicate";
      },
      recheck: async (comment) => {
        const eventId = commentKey(comment);
        if (!(await ctx.lookup(this.id, eventId))) return;
        const ref = replyRef(comment);
        queue.push(() => feedback.acknowledge(ref, async () => (await ctx.lookup(this.id, eventId))?.status !== "pending"));
      },
      ready: () => this.resolveIdentity(),
      mayPoll: () => lease.held,
      watchingSince: await this.watchingSince(ctx, startedAt),
    });
    this.poller.start();
    log.info("GitHub channel started", { mode: this.options.mode ?? "poll", repos: this.options.repos?.length ? this.options.repos : "all of the installation", mention: this.mentionName() });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.guard?.stop();
    await this.lease?.stop();
    await this.poller?.stop();
    await this.lease?.release();
    await this.feedbackQueue?.idle();
    this.poller = undefined;
    this.webhook = undefined;
    this.ctx = undefined;
  }

  /** When this channel first started, kept durably: mentions from before it are not questions to it. */
  private async watchingSince(ctx: ChannelContext, now: number): Promise<number> {
    const recorded = Number(await ctx.state.get("watching-since"));
    if (Number.isFinite(recorded) && recorded > 0) return recorded;
    await ctx.state.set("watching-since", String(now));
    return now;
  }

  /** Whether this gateway is the one polling GitHub for this channel. */
  get polling(): boolean {
    return this.poller?.polling ?? false;
  }

  /** Start the next poll now (tests, and operators who don't want to wait for the interval). */
  pollNow(): void {
    this.poller?.pollNow();
  }

  async handleRequest(req: ChannelRequest): Promise<Response> {
    if (!this.webhook) {
      return new Response(JSON.stringify({ error: `channel "${this.id}" polls GitHub; set mode: webhook to receive deliveries` }), { status: 404, headers: { "content-type": "application/json" } });
    }
    return this.webhook.handle(req);
  }

  format(markdown: string): string {
    return markdown; // GitHub renders Markdown itself
  }

  async send(message: OutboundMessage): Promise<SentMessage> {
    if (!this.replies) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
    return this.replies.send(message);
  }

  /** A comment on an issue or pull request of this channel's repositories (owner/repo#123). */
  async resolveTarget(to: string): Promise<Address> {
    if (!this.octokit) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
    return resolveGitHubTarget(this.octokit, { repos: this.options.repos ?? [], channelId: this.id }, to);
  }

  async edit(to: Address, sent: SentMessage, text: string): Promise<void> {
    if (!this.api || !sent.platformId) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
    try {
      await this.api.edit(parseRef(to.ref), Number(sent.platformId), text);
    } catch (error) {
      throw deliveryError(error, this.id);
    }
  }

  private get log() {
    if (!this.ctx) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
    return this.ctx.log;
  }

  private mentionName(): string {
    return this.options.mentionName ?? this.identity?.defaultMention ?? "";
  }

  private async ingest(comment: GitHubComment, acknowledge: Parameters<typeof ingestComment>[0]["acknowledge"]): Promise<InboundOutcome> {
    if (!this.mentionName()) throw new SwitchboardError(`channel "${this.id}" does not know its mention name yet (GitHub unreachable?)`, { status: 503 });
    return ingestComment(
      {
        channelId: this.id,
        context: () => {
          if (!this.ctx) throw new SwitchboardError(`channel "${this.id}" is not started`, { status: 503 });
          return this.ctx;
        },
        identity: () => this.identity,
        mentionName: () => this.mentionName(),
        emailOf: (login) => this.userEmails?.of(login) ?? Promise.resolve(undefined),
        contexts: this.contexts!,
        acknowledge,
        log: () => this.log,
      },
      comment,
    );
  }

  /**
   * Who we are on GitHub. Wrong credentials fail the start; an unreachable GitHub does not (the
   * poller asks again before each poll, and until then nothing is answered twice or lost).
   */
  private resolveIdentity(): Promise<void> {
    if (this.identity || !this.octokit) return Promise.resolve();
    const octokit = this.octokit;
    this.identityAttempt ??= (async () => {
      try {
        this.identity = await resolveIdentity(octokit, "app" in this.auth ? this.auth.app : undefined, this.id);
      } catch (error) {
        const status = statusOf(error);
        if (error instanceof SwitchboardError || status === 401 || status === 404) throw error;
        this.ctx?.log.warn("could not reach GitHub to learn the bot's identity; retrying before each poll", { error });
      } finally {
        this.identityAttempt = undefined;
      }
    })();
    return this.identityAttempt;
  }

  /** Placeholders of mentions that a turn finished without answering directly get a note. */
  private onEvent(event: GatewayEvent): void {
    if (event.type !== "turn.completed" || !this.ctx || !this.replies) return;
    const ctx = this.ctx;
    const replies = this.replies;
    for (const { eventId, answeredElsewhere } of unansweredMentions(this.id, event)) {
      this.feedbackQueue?.push(async () => {
        const item = await ctx.lookup(this.id, eventId);
        if (!item?.replyTo.ref) return;
        await replies.settle(parseRef(item.replyTo.ref), settleNote(answeredElsewhere, event.status));
      });
    }
  }
}

/** The options' own checks, for callers that build the channel in code rather than from config. */
function checkOptions(options: GitHubChannelOptions): GitHubAuth {
  const where = `channel "${options.id}"`;
  if (options.token && options.app) throw new SwitchboardError(`${where}: give either token or app, not both`, { status: 400 });
  if (!options.token && !options.app) throw new SwitchboardError(`${where}: give a token or an app (id, privateKey, installationId)`, { status: 400 });
  if (options.token && !options.repos?.length) throw new SwitchboardError(`${where}: with a token, list the repositories to watch (repos); only an App installation can stand for "all of them"`, { status: 400 });
  if (options.mode === "webhook" && !options.webhookSecret) throw new SwitchboardError(`${where}: webhook mode needs webhookSecret, the secret set on the GitHub App's webhook`, { status: 400 });
  for (const repo of options.repos ?? []) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new SwitchboardError(`${where}: "${repo}" is not a repository; write owner/name`, { status: 400 });
  }
  return options.token ? { token: options.token } : { app: options.app! };
}

export function createGitHubChannel(options: GitHubChannelOptions): GitHubChannel {
  return new GitHubChannel(options);
}
