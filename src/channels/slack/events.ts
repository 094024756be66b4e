/**
 * The HTTP Events API endpoint (`POST /channels/<id>`): verifies Slack's signature, answers
 * `url_verification`, and turns events and slash commands into accepted messages. It answers
 * 200 only once the message is committed, and always within Slack's 3 s: the accept is a local
 * commit and the agent runs later. A failed or slow accept gets a 5xx, so Slack retries; its
 * retry (`X-Slack-Retry-Num`) carries the same message and is deduplicated by the core.
 */
import type { ChannelRequest } from "../../core/channel.ts";
import { errorResponse, json, readWebhookBody } from "../../core/http-io.ts";
import { SwitchboardError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { SlackIngest } from "./ingest.ts";
import type { SlackSignatureVerifier } from "./signature.ts";

export interface SlackEventsOptions {
  verifier: SlackSignatureVerifier;
  ingest: SlackIngest;
  log: () => Logger;
  /** Answer (with a 503, so Slack retries) if the accept has not finished by then; under Slack's 3 s. */
  ackBudgetMs?: number;
}

/** Paths under `/channels/<id>` that take Slack's POSTs: events and slash commands may share one URL. */
const slackPaths = new Set(["/", "/events", "/commands"]);

export class SlackEventsEndpoint {
  private readonly options: SlackEventsOptions;
  private readonly ackBudgetMs: number;

  constructor(options: SlackEventsOptions) {
    this.options = options;
    this.ackBudgetMs = options.ackBudgetMs ?? 2_500;
  }

  async handle({ request, subpath, bodyLimit }: ChannelRequest): Promise<Response> {
    if (!slackPaths.has(subpath)) return errorResponse(404, `no route ${request.method} ${subpath} on this Slack channel (Slack posts to /)`);
    const raw = await readWebhookBody(request, bodyLimit, "Slack events");
    if (raw instanceof Response) return raw;
    const verdict = this.options.verifier.verify(request.headers, raw);
    if (!verdict.ok) {
      this.options.log().warn("Slack request refused", { reason: verdict.reason });
      return errorResponse(401, verdict.reason);
    }
    const body = Buffer.from(raw).toString("utf8");
    const type = request.headers.get("content-type") ?? "";
    if (type.startsWith("application/x-www-form-urlencoded")) return this.form(new URLSearchParams(body));

    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return errorResponse(400, "malformed JSON");
    }
    const kind = (payload as { type?: unknown } | null)?.type;
    if (kind === "url_verification") {
      const challenge = (payload as { challenge?: unknown }).challenge;
      if (typeof challenge !== "string") return errorResponse(400, "url_verification without a challenge");
      return json({ challenge });
    }
    const retry = Number(request.headers.get("x-slack-retry-num") ?? "0") || 0;
    if (retry > 0) this.options.log().info("Slack retried an event", { retry, reason: request.headers.get("x-slack-retry-reason") ?? undefined });
    return this.withinBudget(async () => {
      const outcome = await this.options.ingest.event(payload, { transport: "http", retry });
      return json({ ok: true, status: outcome.status });
    });
  }

  /** Form posts: slash commands (and interactivity payloads, which are acknowledged and ignored). */
  private async form(fields: URLSearchParams): Promise<Response> {
    if (fields.has("payload")) return new Response(null, { status: 200 });
    return this.withinBudget(async () => {
      const { answer } = await this.options.ingest.command(Object.fromEntries(fields), { transport: "http" });
      return json(answer);
    });
  }

  /**
   * Run the accept, but answer Slack in time whatever happens: an error or an accept still
   * running at the budget gets a 5xx, which makes Slack retry; if the accept did commit after
   * all, the retry is a duplicate and is acknowledged at once.
   */
  private async withinBudget(accept: () => Promise<Response>): Promise<Response> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Response>((resolve) => {
      timer = setTimeout(() => {
        this.options.log().warn("Slack event not accepted within the ack budget; answering 503 so Slack retries", { budgetMs: this.ackBudgetMs });
        resolve(errorResponse(503, "busy: the event was not accepted in time; Slack will retry"));
      }, this.ackBudgetMs);
    });
    const work = accept().catch((error: unknown) => {
      this.options.log().error("Slack event could not be accepted; Slack will retry", { error });
      const status = error instanceof SwitchboardError && error.status >= 500 ? error.status : 500;
      return errorResponse(status, "the event could not be accepted; retry later");
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
