/**
 * Meta webhook signatures: `X-Hub-Signature-256` is `sha256=` + the hex HMAC-SHA256 of the raw
 * body under the app secret (App settings → Basic → App secret). Only the SHA-256 header is
 * trusted; Meta's legacy SHA-1 `X-Hub-Signature` is ignored so a forger cannot downgrade the check.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The header that carries the signature (lower-case, as `Headers.get` accepts it). */
export const WHATSAPP_SIGNATURE_HEADER = "x-hub-signature-256";

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

function digest(appSecret: string, rawBody: string | Uint8Array): Buffer {
  return createHmac("sha256", appSecret).update(rawBody).digest();
}

/** The `X-Hub-Signature-256` value Meta sends for this body. */
export function signWhatsAppBody(appSecret: string, rawBody: string | Uint8Array): string {
  return `sha256=${digest(appSecret, rawBody).toString("hex")}`;
}

/**
 * Whether `header` is Meta's signature of `rawBody` under `appSecret`, compared in constant time.
 * The body must be the bytes as received (re-serialized JSON would not verify; Meta escapes
 * non-ASCII as \uXXXX). Never throws: a missing or malformed header, or an empty secret, is false.
 */
export function verifyWhatsAppSignature(appSecret: string, rawBody: string | Uint8Array, header: string | null | undefined): boolean {
  if (!appSecret || !header) return false;
  const hex = SIGNATURE.exec(header.trim())?.[1];
  if (hex === undefined) return false;
  const given = Buffer.from(hex, "hex");
  const expected = digest(appSecret, rawBody);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
