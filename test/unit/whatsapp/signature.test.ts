import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { signWhatsAppBody, verifyWhatsAppSignature } from "../../../src/channels/whatsapp/signature.ts";

const secret = "0123456789abcdef0123456789abcdef";
const body = '{"object":"whatsapp_business_account","entry":[]}';

describe("X-Hub-Signature-256 (Meta webhook signatures)", () => {
  it("signs as sha256= + hex HMAC-SHA256 of the raw body under the app secret", () => {
    assert.equal(signWhatsAppBody(secret, body), `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  });

  it("accepts the right signature, in any hex case", () => {
    assert.equal(verifyWhatsAppSignature(secret, body, signWhatsAppBody(secret, body)), true);
    assert.equal(verifyWhatsAppSignature(secret, Buffer.from(body), signWhatsAppBody(secret, body).toUpperCase().replace("SHA256=", "sha256=")), true);
  });

  it("refuses a changed body, another secret, a missing or malformed header, the SHA-1 form, and an empty secret", () => {
    const good = signWhatsAppBody(secret, body);
    assert.equal(verifyWhatsAppSignature(secret, body.replace("[]", "[{}]"), good), false);
    assert.equal(verifyWhatsAppSignature("another-secret", body, good), false);
    assert.equal(verifyWhatsAppSignature(secret, body, undefined), false);
    assert.equal(verifyWhatsAppSignature(secret, body, "sha256=abc"), false);
    assert.equal(verifyWhatsAppSignature(secret, body, `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`), false);
    assert.equal(verifyWhatsAppSignature("", body, signWhatsAppBody("", body)), false);
  });
});
