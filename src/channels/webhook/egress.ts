/**
 * Callbacks: each reply part is POSTed, signed, to the configured callback URL. Nothing is
 * retried here: a failure becomes a DeliveryError that tells the gateway's outbox whether to try
 * again and not before when (the receiver's Retry-After), so retries survive a restart. The
 * callback's `id` stays the same on every attempt, so the receiver can drop repeats.
 */
import type { OutboundMessage, SentMessage } from "../../core/channel.ts";
import { DeliveryError } from "../../core/errors.ts";
import { scrub } from "../../core/log.ts";
import type { ReplyReference } from "./payload.ts";
import { signatureHeaders, type SignatureSettings } from "./signature.ts";

/** The JSON body of one callback (documented in docs/webhook.md). */
export interface CallbackBody {
  id: string;
  inReplyTo: string | null;
  sessionId: string;
  conversation: { id: string; kind: "dm" | "group" };
  thread: string | null;
  user: { id: string } | null;
  text: string;
  /** 0-based index of this part of the reply. */
  part: number;
  /** How many parts the reply has, when known. */
  parts?: number;
  metadata?: Record<string, unknown>;
}

export interface CallbackSenderOptions {
  url: string;
  signature: SignatureSettings;
  /** Extra headers for the receiver (its own auth token, say). */
  headers: Record<string, string>;
  timeoutMs: number;
  now: () => number;
}

/** Answers worth trying again: the receiver is busy, down or timed out. */
const retryableStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);

export function callbackBody(message: OutboundMessage, reference: ReplyReference | undefined, parts: number | undefined): CallbackBody {
  const { to } = message;
  const seq = Number(/:(\d+)$/.exec(message.idempotencyKey)?.[1] ?? "0");
  return {
    id: message.idempotencyKey,
    inReplyTo: reference?.inReplyTo ?? null,
    sessionId: message.sessionId,
    conversation: { id: to.conversation, kind: reference?.kind ?? "dm" },
    thread: to.thread ?? null,
    user: to.user !== undefined ? { id: to.user } : null,
    text: message.text,
    part: seq,
    ...(parts !== undefined ? { parts } : {}),
    ...(reference?.metadata !== undefined ? { metadata: reference.metadata } : {}),
  };
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export class CallbackSender {
  private readonly options: CallbackSenderOptions;

  constructor(options: CallbackSenderOptions) {
    this.options = options;
  }

  async post(body: CallbackBody): Promise<SentMessage> {
    const raw = JSON.stringify(body);
    const { url, signature, headers, timeoutMs, now } = this.options;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        // Redirects are not followed: a signed reply must go where the config says, nowhere else.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          ...headers,
          "content-type": "application/json",
          "user-agent": "Switchboard-Webhook/1",
          "idempotency-key": body.id,
          ...signatureHeaders(signature, raw, now()),
        },
        body: raw,
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : explain(error);
      throw new DeliveryError(`webhook callback to ${origin(url)} failed: ${reason}`, { retryable: true, cause: error });
    }
    const text = await response.text().catch(() => "");
    if (response.ok) return { platformId: body.id };
    const detail = text ? `: ${scrub(text.slice(0, 200))}` : "";
    if (response.status >= 300 && response.status < 400) {
      throw new DeliveryError(`webhook callback to ${origin(url)} was redirected (HTTP ${response.status}); set callbackUrl to the final URL`, { retryable: false });
    }
    const retryable = retryableStatuses.has(response.status);
    const wait = retryAfterMs(response.headers.get("retry-after"), now());
    throw new DeliveryError(`webhook callback to ${origin(url)} answered HTTP ${response.status}${detail}`, {
      retryable,
      ...(retryable && wait !== undefined ? { retryAfterMs: wait } : {}),
      status: response.status === 429 ? 429 : 502,
    });
  }
}

/** The URL without path or query, which may hold a token: safe to log. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the callback URL";
  }
}

function explain(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  return scrub(error instanceof Error ? error.message : String(error));
}
