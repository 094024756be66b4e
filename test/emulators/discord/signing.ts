/**
 * Discord's interaction signing, from the application's side: an Ed25519 key pair whose public
 * half (64 hex characters) is what the Developer Portal shows as the app's Public Key, and the
 * signature over `timestamp + body` that Discord sends as `X-Signature-Ed25519`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

export interface SigningKeys {
  privateKey: KeyObject;
  /** Hex, as the Developer Portal shows it. */
  publicKey: string;
}

export function generateSigningKeys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  return { privateKey, publicKey: Buffer.from(jwk.x!, "base64url").toString("hex") };
}

/** Keys from a fixed 32-byte seed, so the emulator run by hand prints the same public key every time. */
export function signingKeysFromSeed(seed: Buffer): SigningKeys {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  return { privateKey, publicKey: Buffer.from(jwk.x!, "base64url").toString("hex") };
}

/** The two headers Discord signs a request with. */
export function signedHeaders(privateKey: KeyObject, body: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
  const signature = sign(null, Buffer.from(timestamp + body, "utf8"), privateKey).toString("hex");
  return { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp };
}
