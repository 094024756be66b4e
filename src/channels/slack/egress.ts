/**
 * Outbound Slack: post, edit and "thinking" status through `@slack/web-api`. The client never
 * retries on its own (the gateway's outbox does, with backoff and Retry-After), so every Slack
 * failure becomes a DeliveryError that says whether trying again can help, and when.
 */
import { WebClient, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, LogLevel } from "@slack/web-api";
import type { Logger as SlackLogger } from "@slack/web-api";
import type { Address, OutboundMessage, SentMessage } from "../../core/channel.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { scrub } from "../../core/log.ts";
import { createNodeFetch } from "../../core/node-fetch.ts";

/** Slack's public Web API. */
export const SLACK_API_URL = "https://slack.com/api/";

/** A Web API client for the gateway: no retries of its own, rate limits reported, not waited out. */
export function createWebClient(token: string, options: { apiUrl?: string; log: Logger; timeoutMs?: number }): WebClient {
  return new WebClient(token, {
    slackApiUrl: options.apiUrl ?? SLACK_API_URL,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: options.timeoutMs ?? 15_000,
    logger: slackLogger(options.log),
    // node:http keep-alive instead of undici: a third of the CPU of each API call.
    fetch: createNodeFetch(),
  });
}

/**
 * The SDKs' logger interface on top of ours. Their debug output dumps payloads (message text),
 * so it is dropped; the rest goes out scrubbed like every log line.
 */
export function slackLogger(log: Logger): SlackLogger {
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === "string" ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(" ");
  return {
    debug: () => {},
    info: (...parts: unknown[]) => log.debug(text(parts), { source: "slack-sdk" }),
    warn: (...parts: unknown[]) => log.warn(text(parts), { source: "slack-sdk" }),
    error: (...parts: unknown[]) => log.warn(text(parts), { source: "slack-sdk" }),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

/** Platform errors that may go away by themselves; everything else needs a person to fix it. */
const transientErrors = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"]);

/** What to tell the operator for errors whose code alone does not say how to fix them. */
const hints: Record<string, string> = {
  not_in_channel: "invite the bot to the channel (/invite @your-bot)",
  channel_not_found: "the channel does not exist or the bot cannot see it",
  invalid_auth: "the bot token is wrong or revoked (channels.<id>.botToken)",
  not_authed: "no bot token was sent (channels.<id>.botToken)",
  token_revoked: "the bot token was revoked; reinstall the app",
  account_inactive: "the bot token belongs to a deactivated app or user",
  missing_scope: "the app lacks an OAuth scope; see docs/slack-manifest.yaml and reinstall the app",
  msg_too_long: "the message is over Slack's length limit",
  message_not_found: "the message to edit no longer exists",
  cant_update_message: "only the bot's own messages can be edited",
  is_archived: "the channel is archived",
};

/** Turn any Web API failure into a DeliveryError; never includes a token. */
export function deliveryError(method: string, error: unknown): DeliveryError {
  if (error instanceof WebAPIRateLimitedError) {
    return new DeliveryError(`Slack rate-limited ${method}; retry after ${error.retryAfter} s`, { retryable: true, retryAfterMs: error.retryAfter * 1000, status: 429 });
  }
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    const hint = hints[code];
    const scope = (error.data as { needed?: unknown }).needed;
    const needed = code === "missing_scope" && typeof scope === "string" ? ` (needs ${scope})` : "";
    const message = `Slack ${method} failed: ${code}${needed}${hint ? `: ${hint}` : ""}`;
    const retryAfter = error.data.response_metadata?.retryAfter;
    return new DeliveryError(message, {
      retryable: transientErrors.has(code),
      ...(code === "ratelimited" ? { retryAfterMs: (retryAfter ?? 1) * 1000 } : {}),
      status: code === "ratelimited" ? 429 : 502,
    });
  }
  if (error instanceof WebAPIHTTPError) {
    return new DeliveryError(`Slack ${method} failed: HTTP ${error.statusCode}`, { retryable: error.statusCode >= 500 || error.statusCode === 408, status: 502 });
  }
  if (error instanceof WebAPIRequestError) {
    return new DeliveryError(`Slack ${method} failed: ${scrub(error.original.message)}`, { retryable: true });
  }
  return new DeliveryError(`Slack ${method} failed: ${scrub(error instanceof Error ? error.message : String(error))}`, { retryable: true });
}

export class SlackEgress {
  private readonly client: WebClient;
  private readonly log: Logger;

  constructor(client: WebClient, log: Logger) {
    this.client = client;
    this.log = log;
  }

  /** `chat.postMessage` into the conversation, in the thread when the address has one. */
  async send(message: OutboundMessage): Promise<SentMessage> {
    const { to, text } = message;
    try {
      const result = await this.client.chat.postMessage({
        channel: to.conversation,
        text,
        ...(to.thread !== undefined ? { thread_ts: to.thread } : {}),
      });
      return result.ts !== undefined ? { platformId: result.ts } : {};
    } catch (error) {
      throw deliveryError("chat.postMessage", error);
    }
  }

  /** `chat.update` of a message the bot posted. */
  async edit(to: Address, sent: SentMessage, text: string): Promise<void> {
    if (sent.platformId === undefined) throw new DeliveryError("cannot edit a Slack message without its ts", { retryable: false });
    try {
      await this.client.chat.update({ channel: to.conversation, ts: sent.platformId, text });
    } catch (error) {
      throw deliveryError("chat.update", error);
    }
  }

  /**
   * Slack's "is thinking…" status in the thread being answered (assistant threads). Where Slack
   * does not offer it (no thread, no `assistant:write` scope, not an assistant thread) nothing is
   * shown; a status never fails a turn.
   */
  async typing(to: Address): Promise<void> {
    if (to.thread === undefined) return;
    try {
      await this.client.assistant.threads.setStatus({ channel_id: to.conversation, thread_ts: to.thread, status: "is thinking…" });
    } catch (error) {
      this.log.debug("Slack thinking status not shown", { error: deliveryError("assistant.threads.setStatus", error).message });
    }
  }
}
