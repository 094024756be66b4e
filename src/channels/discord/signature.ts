/**
 * Discord's request signing for HTTP interactions: `X-Signature-Ed25519` is the hex Ed25519
 * signature of `X-Signature-Timestamp` + the raw body, made with the application's private key;
 * we check it against the public key from the Developer Portal. Discord sends deliberately bad
 * signatures when the endpoint URL is saved and from time to time after, and disables an
 * endpoint that accepts them, so every failure must end in a 401.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";

/** How far a timestamp may be from now before the request counts as a replay. */
export const DISCORD_REPLAY_WINDOW_SECONDS = 300;

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/** The application's public key (64 hex characters) as a node:crypto key; throws with a fix if malformed. */
export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error("a Discord public key is 64 hex characters (Developer Portal → General Information → Public Key)");
  const x = Buffer.from(hex, "hex").toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
}

export interface SignedInteraction {
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  body: Uint8Array | string;
}

/** Verify one request at `nowMs`; clock-independent so tests can use fixed timestamps. */
export function verifyDiscordSignature(key: KeyObject, request: SignedInteraction, nowMs: number, windowSeconds = DISCORD_REPLAY_WINDOW_SECONDS): SignatureVerdict {
  const { signature, timestamp } = request;
  if (!signature) return { ok: false, reason: "missing X-Signature-Ed25519 header" };
  if (!timestamp) return { ok: false, reason: "missing X-Signature-Timestamp header" };
  if (!/^[0-9a-fA-F]{128}$/.test(signature)) return { ok: false, reason: "malformed X-Signature-Ed25519 header (expected 128 hex characters)" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed X-Signature-Timestamp header" };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > windowSeconds) {
    return { ok: false, reason: `stale request: its timestamp is more than ${windowSeconds} s from now (replay refused; check the server clock)` };
  }
  const body = typeof request.body === "string" ? Buffer.from(request.body, "utf8") : Buffer.from(request.body);
  const message = Buffer.concat([Buffer.from(timestamp, "utf8"), body]);
  // verify() does the constant-time comparison inside the Ed25519 check.
  if (!verify(null, message, key, Buffer.from(signature, "hex"))) {
    return { ok: false, reason: "signature mismatch: the body was altered or the public key is not this application's" };
  }
  return { ok: true };
}

/** Verifies the interactions of one Discord application; `now` is injectable for tests. */
export class DiscordSignatureVerifier {
  private readonly key: KeyObject;
  private readonly now: () => number;

  constructor(publicKeyHex: string, options: { now?: () => number } = {}) {
    this.key = discordPublicKey(publicKeyHex);
    this.now = options.now ?? Date.now;
  }

  verify(headers: Headers, body: Uint8Array | string): SignatureVerdict {
    return verifyDiscordSignature(this.key, { signature: headers.get("x-signature-ed25519"), timestamp: headers.get("x-signature-timestamp"), body }, this.now());
  }
}
