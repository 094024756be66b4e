/**
 * GitHub webhook signatures: `X-Hub-Signature-256` is `sha256=` + the hex HMAC-SHA256 of the raw
 * body under the webhook secret. Only that header is accepted. The legacy SHA-1 `X-Hub-Signature`
 * is refused, so a forger cannot downgrade the check to the weaker hash.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The header that carries the signature (lower-case, as `Headers.get` accepts it). */
export const GITHUB_SIGNATURE_HEADER = "x-hub-signature-256";

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

function digest(secret: string, rawBody: string | Uint8Array): Buffer {
  return createHmac("sha256", secret).update(rawBody).digest();
}

/** The `X-Hub-Signature-256` value GitHub sends for this body: `sha256=<hex>`. */
export function signGitHubBody(secret: string, rawBody: string | Uint8Array): string {
  return `sha256=${digest(secret, rawBody).toString("hex")}`;
}

/**
 * Whether `header` is GitHub's signature of `rawBody` under `secret`. The body must be the bytes
 * exactly as received: re-serialized JSON would not verify. Never throws; a missing or malformed
 * header, or an empty secret (which anyone could sign with), is simply `false`.
 */
export function verifyGitHubSignature(secret: string, rawBody: string | Uint8Array, header: string | null | undefined): boolean {
  if (!secret || !header) return false;
  const hex = SIGNATURE.exec(header)?.[1];
  if (hex === undefined) return false;
  const given = Buffer.from(hex, "hex");
  const expected = digest(secret, rawBody);
  // timingSafeEqual throws on a length mismatch; the regex already pins the length, this keeps it so.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
