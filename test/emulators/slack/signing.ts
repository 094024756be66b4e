/**
 * Slack's v0 request signing, as the emulator applies it to every HTTP delivery: the signature is
 * `v0=` + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)), sent in
 * X-Slack-Signature next to X-Slack-Request-Timestamp (unix seconds).
 */
import { createHmac } from "node:crypto";

export function slackSignature(secret: string, timestamp: string | number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** The headers Slack puts on a request it signs, for a body sent at `nowMs`. */
export function signedHeaders(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { "x-slack-request-timestamp": timestamp, "x-slack-signature": slackSignature(secret, timestamp, body) };
}

/**
 * The worked example from Slack's "Verifying requests from Slack" page: a slash command body
 * signed with a sample secret. A verifier that accepts this (at that timestamp) implements the
 * documented scheme byte for byte.
 */
export const SLACK_DOCUMENTED_EXAMPLE = {
  signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
} as const;
