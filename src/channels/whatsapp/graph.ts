/**
 * A small Graph API client for the WhatsApp Cloud API: POST `/{version}/{phone-number-id}/messages`
 * and GET `/{version}/{media-id}`, with a bearer token. It never retries; failures come back as
 * GraphError with Meta's error shape `{error: {message, type, code, error_subcode, fbtrace_id}}`,
 * and `graphDeliveryError` decides whether the outbox should try again, and when.
 */
import { DeliveryError } from "../../core/errors.ts";
import { scrub } from "../../core/log.ts";

export const GRAPH_API_URL = "https://graph.facebook.com";
export const GRAPH_API_VERSION = "v23.0";

/** Meta's error codes the channel acts on. */
export const WA_ERRORS = {
  /** Cloud API throughput reached for the business number (80 msg/s by default). */
  throughput: 130429,
  /** Too many messages to one user in a short time (about one per 6 s sustained). */
  pairRate: 131056,
  /** Re-engagement: more than 24 h since the user last wrote; only templates may be sent. */
  windowClosed: 131047,
} as const;

export class GraphError extends Error {
  readonly status: number;
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly details: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, fields: { status: number; code?: number; subcode?: number; details?: string; retryAfterMs?: number }) {
    super(message);
    this.name = "GraphError";
    this.status = fields.status;
    this.code = fields.code;
    this.subcode = fields.subcode;
    this.details = fields.details;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

export interface GraphClientOptions {
  accessToken: string;
  phoneNumberId: string;
  apiUrl?: string;
  apiVersion?: string;
  timeoutMs?: number;
}

export class GraphClient {
  private readonly options: GraphClientOptions;
  private readonly base: string;

  constructor(options: GraphClientOptions) {
    this.options = options;
    this.base = `${(options.apiUrl ?? GRAPH_API_URL).replace(/\/+$/, "")}/${options.apiVersion ?? GRAPH_API_VERSION}`;
  }

  /** POST a message (or a read receipt) for the business number; returns Meta's JSON answer. */
  postMessage(body: Record<string, unknown>): Promise<{ messages?: Array<{ id: string }>; success?: boolean }> {
    return this.call("POST", `/${encodeURIComponent(this.options.phoneNumberId)}/messages`, { messaging_product: "whatsapp", ...body }) as Promise<{
      messages?: Array<{ id: string }>;
      success?: boolean;
    }>;
  }

  /** A media object's short-lived download URL (it needs the same bearer token, and expires in 5 minutes). */
  media(id: string): Promise<{ url?: string; mime_type?: string; file_size?: number }> {
    return this.call("GET", `/${encodeURIComponent(id)}`) as Promise<{ url?: string; mime_type?: string; file_size?: number }>;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.options.accessToken}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new GraphError(`request failed: ${scrub(error instanceof Error ? error.message : String(error))}`, { status: 0 });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    if (response.ok && parsed !== undefined) return parsed;
    const error = (parsed as { error?: { message?: unknown; code?: unknown; error_subcode?: unknown; error_data?: { details?: unknown } } } | undefined)?.error;
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new GraphError(typeof error?.message === "string" ? error.message : `HTTP ${response.status}`, {
      status: response.status,
      ...(typeof error?.code === "number" ? { code: error.code } : {}),
      ...(typeof error?.error_subcode === "number" ? { subcode: error.error_subcode } : {}),
      ...(typeof error?.error_data?.details === "string" ? { details: error.error_data.details } : {}),
      ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
}

/** How long to wait before retrying after Meta's rate-limit codes, which carry no Retry-After. */
export interface RateLimitBackoff {
  /** After 130429 (the number's throughput): one second clears a per-second limit. */
  throughputMs: number;
  /** After 131056 (pair rate): Meta allows about one message per 6 s to one user. */
  pairMs: number;
}

export const DEFAULT_BACKOFF: RateLimitBackoff = { throughputMs: 1_000, pairMs: 6_000 };

/** Codes that may clear up by themselves: Meta's temporary and service errors, and app-level throttles. */
const transientCodes = new Set([1, 2, 4, 17, 341, 80007, 131000, 131016, 133004]);

/** What the operator should do about codes whose message alone does not say it. */
const hints: Record<number, string> = {
  190: "the access token is invalid or expired (channels.<id>.accessToken; use a System User token that does not expire)",
  10: "the token lacks whatsapp_business_messaging permission",
  200: "the token lacks whatsapp_business_messaging permission",
  100: "Meta refused a parameter (is phoneNumberId the Phone number ID, not the phone number?)",
  131030: "the recipient is not on the test number's allowed list (WhatsApp Manager → API Setup → To)",
  131026: "the message could not be delivered to this user (not on WhatsApp, old app, or they have not accepted the terms)",
  131051: "unsupported message type",
  132001: "the template does not exist in that language, or is not approved (templateOnWindowClosed)",
  368: "the business number is temporarily blocked for policy violations",
};

/** Turn a Graph failure into a DeliveryError the outbox understands; never includes the token. */
export function graphDeliveryError(what: string, error: unknown, backoff: RateLimitBackoff = DEFAULT_BACKOFF): DeliveryError {
  if (!(error instanceof GraphError)) {
    return new DeliveryError(`WhatsApp ${what} failed: ${scrub(error instanceof Error ? error.message : String(error))}`, { retryable: true });
  }
  const code = error.code;
  const label = `WhatsApp ${what} failed: ${scrub(error.message)}${code !== undefined ? ` (code ${code})` : ""}`;
  if (code === WA_ERRORS.throughput || code === WA_ERRORS.pairRate || error.status === 429) {
    const floor = code === WA_ERRORS.pairRate ? backoff.pairMs : backoff.throughputMs;
    return new DeliveryError(`${label}; rate-limited, retrying later`, { retryable: true, retryAfterMs: Math.max(floor, error.retryAfterMs ?? 0), status: 429, cause: error });
  }
  if (error.status === 0 || error.status >= 500 || (code !== undefined && transientCodes.has(code))) {
    return new DeliveryError(label, { retryable: true, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}), cause: error });
  }
  const hint = code !== undefined ? hints[code] : undefined;
  return new DeliveryError(`${label}${hint ? `: ${hint}` : ""}`, { retryable: false, cause: error });
}
