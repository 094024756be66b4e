import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { GITHUB_SIGNATURE_HEADER, signGitHubBody, verifyGitHubSignature } from "../../../src/channels/github/signature.ts";

// The test values from GitHub's "Validating webhook deliveries" documentation.
const docs = {
  secret: "It's a Secret to Everybody",
  body: "Hello, World!",
  header: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
};

describe("GitHub webhook signatures (X-Hub-Signature-256)", () => {
  it("GitHub's documented example signs and verifies", () => {
    assert.equal(signGitHubBody(docs.secret, docs.body), docs.header);
    assert.equal(verifyGitHubSignature(docs.secret, docs.body, docs.header), true);
  });

  it("verifies raw bytes the same as the string, including non-ASCII payloads", () => {
    assert.equal(verifyGitHubSignature(docs.secret, Buffer.from(docs.body), docs.header), true);
    const unicode = JSON.stringify({ comment: { body: "@switchboard ¿qué tal? 🚀" } });
    const header = signGitHubBody(docs.secret, unicode);
    assert.equal(verifyGitHubSignature(docs.secret, new TextEncoder().encode(unicode), header), true);
  });

  it("a tampered body is refused", () => {
    assert.equal(verifyGitHubSignature(docs.secret, "Hello, World?", docs.header), false);
    assert.equal(verifyGitHubSignature(docs.secret, `${docs.body} `, docs.header), false);
  });

  it("the wrong secret is refused", () => {
    assert.equal(verifyGitHubSignature("It's a Secret to Nobody", docs.body, docs.header), false);
  });

  it("an empty secret never verifies, even with a matching signature", () => {
    assert.equal(verifyGitHubSignature("", docs.body, signGitHubBody("", docs.body)), false);
  });

  it("missing and malformed headers are refused without throwing", () => {
    const hex = docs.header.slice("sha256=".length);
    for (const header of [
      undefined,
      null,
      "",
      hex, // no algorithm prefix
      "sha256=",
      `sha256=${hex.slice(0, -2)}`, // too short: would make timingSafeEqual throw if unchecked
      `sha256=${hex}00`, // too long
      `sha256=${hex.slice(0, -1)}g`, // not hex
      `sha512=${hex}`,
      ` ${docs.header}`,
      `${docs.header},${docs.header}`,
    ]) {
      assert.equal(verifyGitHubSignature(docs.secret, docs.body, header), false, `header ${JSON.stringify(header)}`);
    }
  });

  it("the legacy SHA-1 X-Hub-Signature is refused even when it is correct", () => {
    const sha1 = `sha1=${createHmac("sha1", docs.secret).update(docs.body).digest("hex")}`;
    assert.equal(verifyGitHubSignature(docs.secret, docs.body, sha1), false);
  });

  it("upper-case hex is accepted", () => {
    assert.equal(verifyGitHubSignature(docs.secret, docs.body, `sha256=${docs.header.slice(7).toUpperCase()}`), true);
  });

  it("names the header to read", () => {
    const headers = new Headers({ "X-Hub-Signature-256": docs.header });
    assert.equal(verifyGitHubSignature(docs.secret, docs.body, headers.get(GITHUB_SIGNATURE_HEADER)), true);
  });
});
