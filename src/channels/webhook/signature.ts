/**
 * Webhook request signing, used both ways: callers sign what they POST to the channel, and the
 * channel signs the callbacks it POSTs back. The signature header is `<algorithm>=<hex HMAC>` of
 * `<timestamp>.<raw body>` (or of the raw body alone when no timestamp is sent); the timestamp,
 * in seconds since the epoch, must be within the tolerance of now so a captured request cannot
 * be replayed later. Comparison is constant time.
 */
import { createHmac } from "node:crypto";
import { secretsEqual } from "../../core/http-io.ts";

export type SignatureAlgorithm = "sha256" | "sha512";

export interface SignatureSettings {
  secret: string;
  algorithm: SignatureAlgorithm;
  /** Header carrying `<algorithm>=<hex>`, e.g. `X-Switchboard-Signature`. */
  header: string;
  /** Header carrying the Unix timestamp (seconds), e.g. `X-Switchboard-Timestamp`. */
  timestampHeader: string;
  /** Refuse requests that come without a timestamp. */
  requireTimestamp: boolean;
  /** Largest accepted distance between the timestamp and now. */
  toleranceMs: number;
}

export const DEFAULT_SIGNATURE_HEADER = "X-Switchboard-Signature";
export const DEFAULT_TIMESTAMP_HEADER = "X-Switchboard-Timestamp";
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/** The header value for this body, e.g. `sha256=5d41…`; `timestamp` undefined signs the body alone. */
export function webhookSignature(secret: string, algorithm: SignatureAlgorithm, body: string | Uint8Array, timestamp?: string): string {
  const hmac = createHmac(algorithm, secret);
  if (timestamp !== undefined) hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `${algorithm}=${hmac.digest("hex")}`;
}

/** The headers that sign `body` at `nowMs`: what the channel adds to every callback. */
export function signatureHeaders(settings: SignatureSettings, body: string | Uint8Array, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [settings.header]: webhookSignature(settings.secret, settings.algorithm, body, timestamp),
    [settings.timestampHeader]: timestamp,
  };
}

/** Check one request's signature against the settings at the time `nowMs` (injectable for tests). */
export function verifyWebhookSignature(settings: SignatureSettings, headers: Headers, body: string | Uint8Array, nowMs: number): SignatureVerdict {
  const signature = headers.get(settings.header);
  if (!signature) return { ok: false, reason: `missing ${settings.header} header` };
  const timestamp = headers.get(settings.timestampHeader) ?? undefined;
  if (timestamp === undefined && settings.requireTimestamp) return { ok: false, reason: `missing ${settings.timestampHeader} header` };
  if (timestamp !== undefined) {
    if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `malformed ${settings.timestampHeader} header (want Unix seconds)` };
    if (Math.abs(nowMs - Number(timestamp) * 1000) > settings.toleranceMs) {
      return { ok: false, reason: `stale request: ${settings.timestampHeader} is more than ${Math.round(settings.toleranceMs / 1000)} s from now (replay refused; check the sender's clock)` };
    }
  }
  if (!signature.startsWith(`${settings.algorithm}=`)) return { ok: false, reason: `unsupported signature format (expected ${settings.algorithm}=<hex>)` };
  if (!secretsEqual(signature, webhookSignature(settings.secret, settings.algorithm, body, timestamp))) {
    return { ok: false, reason: "signature mismatch: the body was altered or the secret is wrong" };
  }
  return { ok: true };
}
