import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DiscordSignatureVerifier, discordPublicKey, verifyDiscordSignature } from "../../../src/channels/discord/signature.ts";
import { generateSigningKeys, signedHeaders } from "../../emulators/discord/signing.ts";

const keys = generateSigningKeys();
const body = '{"type":1}';
const now = 1_700_000_000_000;
const timestamp = String(now / 1000);
const headers = signedHeaders(keys.privateKey, body, timestamp);
const verify = (overrides: Partial<{ signature: string; timestamp: string; body: string }>, key = keys.publicKey) =>
  verifyDiscordSignature(discordPublicKey(key), { signature: headers["x-signature-ed25519"], timestamp, body, ...overrides }, now);

describe("Discord interaction signatures (Ed25519)", () => {
  it("accepts a signature over timestamp + body made with the app's key", () => {
    assert.deepEqual(verify({}), { ok: true });
    assert.deepEqual(new DiscordSignatureVerifier(keys.publicKey, { now: () => now }).verify(new Headers(headers), new TextEncoder().encode(body)), { ok: true });
  });

  it("refuses a changed body, a changed timestamp and another app's key", () => {
    assert.equal(verify({ body: '{"type":2}' }).ok, false);
    assert.equal(verify({ timestamp: String(now / 1000 + 1) }).ok, false);
    assert.equal(verify({}, generateSigningKeys().publicKey).ok, false);
  });

  it("refuses missing or malformed headers and stale timestamps, saying why", () => {
    assert.match((verify({ signature: "" }) as { reason: string }).reason, /missing X-Signature-Ed25519/);
    assert.match((verify({ signature: "zz" }) as { reason: string }).reason, /malformed/);
    assert.match((verify({ timestamp: String(now / 1000 - 600) }) as { reason: string }).reason, /stale/);
  });

  it("rejects a public key that is not 64 hex characters with a hint where to find it", () => {
    assert.throws(() => discordPublicKey("abc"), /Developer Portal/);
  });
});
