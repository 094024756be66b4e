/**
 * Slack request signing (v0): `X-Slack-Signature` is `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` under the app's signing secret. A request is genuine only if the
 * signature matches (compared in constant time) and its timestamp is within five minutes of now,
 * so a captured request cannot be replayed later.
 */
import { createHmac } from "node:crypto";
import { secretsEqual } from "../../core/http-io.ts";

/** Slack's replay window: requests older (or newer) than this are refused. */
export const SLACK_REPLAY_WINDOW_SECONDS = 300;

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

export interface SignedRequest {
  /** `X-Slack-Request-Timestamp`, in seconds since the epoch. */
  timestamp: string | null | undefined;
  /** `X-Slack-Signature`. */
  signature: string | null | undefined;
  /** The raw body exactly as received; a re-serialized body would not verify. */
  body: string | Uint8Array;
}

/** The `v0=` signature Slack sends for this timestamp and body. */
export function slackSignature(signingSecret: string, timestamp: string, body: string | Uint8Array): string {
  const hmac = createHmac("sha256", signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  return `v0=${hmac.digest("hex")}`;
}

/**
 * Verify one request against the signing secret at the time `nowMs`. Clock-independent so that
 * tests can check Slack's documented example, whose timestamp is years old.
 */
export function verifySlackSignature(signingSecret: string, request: SignedRequest, nowMs: number, windowSeconds = SLACK_REPLAY_WINDOW_SECONDS): SignatureVerdict {
  const { timestamp, signature } = request;
  if (!timestamp) return { ok: false, reason: "missing X-Slack-Request-Timestamp header" };
  if (!signature) return { ok: false, reason: "missing X-Slack-Signature header" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed X-Slack-Request-Timestamp header" };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > windowSeconds) {
    return { ok: false, reason: `stale request: its timestamp is more than ${windowSeconds} s from now (replay refused; check the server clock)` };
  }
  if (!signature.startsWith("v0=")) return { ok: false, reason: "unsupported signature version (expected v0=…)" };
  if (!secretsEqual(signature, slackSignature(signingSecret, timestamp, request.body))) {
    return { ok: false, reason: "signature mismatch: the body was altered or the signing secret is wrong" };
  }
  return { ok: true };
}

/** Verifies requests of one Slack app; `now` is injectable for tests. */
export class SlackSignatureVerifier {
  private readonly signingSecret: string;
  private readonly now: () => number;

  constructor(signingSecret: string, options: { now?: () => number } = {}) {
    this.signingSecret = signingSecret;
    this.now = options.now ?? Date.now;
  }

  verify(headers: Headers, body: string | Uint8Array): SignatureVerdict {
    return verifySlackSignature(
      this.signingSecret,
      { timestamp: headers.get("x-slack-request-timestamp"), signature: headers.get("x-slack-signature"), body },
      this.now(),
    );
  }
}
