/**
 * Webhook ingress (`POST /channels/<id>`): verifies `X-Hub-Signature-256` over the raw body,
 * answers `ping`, and takes `issue_comment` and `pull_request_review_comment` creations through
 * the same path as polled comments. It answers 2xx only after the accept committed; a failure
 * gets a 5xx, which shows as a failed delivery in the App settings (redeliverable), and the
 * catch-up poll picks the comment up anyway. A redelivery (same `X-GitHub-Delivery`) is answered
 * at once; the comment id dedupes the rest, across restarts.
 */
import { z } from "zod";
import type { ChannelRequest } from "../../core/channel.ts";
import { errorResponse, json, readWebhookBody } from "../../core/http-io.ts";
import type { Logger } from "../../core/log.ts";
import { toComment, type CommentKind, type GitHubComment, type RawComment } from "./comment.ts";
import { issueContext, type IssueContext } from "./context.ts";
import { verifyGitHubSignature } from "./signature.ts";

export interface WebhookDeps {
  secret: string;
  log: () => Logger;
  /** The issue or PR the payload carries, so the agent's context costs no request. */
  remember: (repo: string, number: number, context: IssueContext) => void;
  ingest: (comment: GitHubComment) => Promise<{ status: string; reason?: string }>;
}

/** The fields of a comment event the channel reads, checked: a signed body is still not trusted to have GitHub's shape. */
const issueShape = z.looseObject({ number: z.number().int(), title: z.string(), body: z.string().nullish(), html_url: z.string(), pull_request: z.unknown().optional() });
const commentPayload = z.looseObject({
  action: z.string().optional(),
  repository: z.looseObject({ full_name: z.string() }).optional(),
  comment: z
    .looseObject({
      id: z.number().int(),
      body: z.string().nullish(),
      user: z.looseObject({ login: z.string(), id: z.number().int(), type: z.string() }).nullish(),
      performed_via_github_app: z.looseObject({ id: z.number().int() }).nullish(),
      html_url: z.string(),
      created_at: z.string(),
      updated_at: z.string(),
      issue_url: z.string().optional(),
      pull_request_url: z.string().optional(),
      path: z.string().optional(),
      diff_hunk: z.string().optional(),
    })
    .optional(),
  issue: issueShape.optional(),
  pull_request: issueShape.optional(),
});

type CommentPayload = z.infer<typeof commentPayload>;

const commentEvents: Record<string, CommentKind> = { issue_comment: "issue", pull_request_review_comment: "review" };

export class GitHubWebhook {
  private readonly deps: WebhookDeps;
  private readonly handled = new RecentIds(10_000);

  constructor(deps: WebhookDeps) {
    this.deps = deps;
  }

  async handle({ request, subpath, bodyLimit }: ChannelRequest): Promise<Response> {
    if (subpath !== "/" && subpath !== "/webhook") return errorResponse(404, `no route ${request.method} ${subpath} on this GitHub channel (GitHub posts to /)`);
    const raw = await readWebhookBody(request, bodyLimit, "GitHub webhooks");
    if (raw instanceof Response) return raw;
    if (!verifyGitHubSignature(this.deps.secret, raw, request.headers.get("x-hub-signature-256"))) {
      this.deps.log().warn("GitHub webhook refused: bad or missing X-Hub-Signature-256");
      return errorResponse(401, "bad or missing X-Hub-Signature-256 (is the webhook secret the same on both sides?)");
    }
    const event = request.headers.get("x-github-event") ?? "";
    const delivery = request.headers.get("x-github-delivery") ?? "";
    if (delivery && this.handled.has(delivery)) return json({ ok: true, status: "duplicate delivery" });
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(raw).toString("utf8"));
    } catch {
      return errorResponse(400, "malformed JSON");
    }
    const response = await this.dispatch(event, payload, delivery);
    if (delivery && response.status < 300) this.handled.add(delivery);
    return response;
  }

  private async dispatch(event: string, body: unknown, delivery: string): Promise<Response> {
    if (event === "ping") return json({ ok: true, status: "pong" });
    const kind = Object.hasOwn(commentEvents, event) ? commentEvents[event] : undefined;
    // Other events are not subscribed to by our setup.
    if (!kind) return json({ ok: true, status: "ignored" });
    const parsed = commentPayload.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return errorResponse(400, `not a ${event} payload: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim());
    }
    const payload: CommentPayload = parsed.data;
    // Edits and deletions are not new questions.
    if (payload.action !== "created") return json({ ok: true, status: "ignored" });
    const repo = payload.repository?.full_name;
    const comment = repo && payload.comment ? toComment(kind, repo, payload.comment as RawComment) : undefined;
    if (!repo || !comment) return errorResponse(400, `a ${event} payload without its repository or comment`);
    const issue = payload.issue ?? payload.pull_request;
    if (issue) this.deps.remember(repo, issue.number, issueContext(issue, kind === "review"));
    try {
      const outcome = await this.deps.ingest(comment);
      return json({ ok: true, status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}) }, outcome.status === "accepted" ? 202 : 200);
    } catch (error) {
      this.deps.log().warn("GitHub webhook not accepted; redeliver it, or the next catch-up poll will read it", { delivery, event, error });
      return errorResponse(503, "not accepted; try again");
    }
  }
}

/** Delivery ids answered lately, oldest forgotten first. */
class RecentIds {
  private readonly ids = new Set<string>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }
}
