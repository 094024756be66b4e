/**
 * The webhook signature scheme, written again here rather than imported from the channel: an
 * emulator that shared the channel's code would agree with any bug in it. `<algorithm>=<hex>`
 * of the HMAC of `<timestamp>.<raw body>`, timestamp in Unix seconds.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type Algorithm = "sha256" | "sha512";

export function sign(secret: string, body: string, timestamp: string | undefined, algorithm: Algorithm = "sha256"): string {
  const signed = timestamp === undefined ? body : `${timestamp}.${body}`;
  return `${algorithm}=${createHmac(algorithm, secret).update(signed).digest("hex")}`;
}

/** Headers that sign `body` for the channel, as a caller of `POST /channels/<id>/webhook` sends them. */
export function signedHeaders(
  secret: string,
  body: string,
  options: { nowMs?: number; timestamp?: boolean; header?: string; timestampHeader?: string; algorithm?: Algorithm } = {},
): Record<string, string> {
  const header = options.header ?? "x-switchboard-signature";
  const timestampHeader = options.timestampHeader ?? "x-switchboard-timestamp";
  if (options.timestamp === false) return { [header]: sign(secret, body, undefined, options.algorithm) };
  const timestamp = String(Math.floor((options.nowMs ?? Date.now()) / 1000));
  return { [header]: sign(secret, body, timestamp, options.algorithm), [timestampHeader]: timestamp };
}

export type Verdict = "ok" | "missing-signature" | "missing-timestamp" | "stale" | "bad-signature";

/** What a careful receiver checks: a timestamp within the tolerance, and the signature over it and the body. */
export function verify(
  secret: string,
  body: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  options: { nowMs: number; toleranceSec: number; algorithm: Algorithm },
): Verdict {
  if (!headers.signature) return "missing-signature";
  if (!headers.timestamp) return "missing-timestamp";
  if (!/^\d+$/.test(headers.timestamp) || Math.abs(options.nowMs / 1000 - Number(headers.timestamp)) > options.toleranceSec) return "stale";
  const expected = Buffer.from(sign(secret, body, headers.timestamp, options.algorithm));
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "bad-signature";
}
