import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { identityLinkIssues, identityResolver } from "../../../src/core/access/identity.ts";
import { makeEnvelope } from "../../../src/core/envelope.ts";
import { parseConfig } from "../../../src/config/load.ts";

const from = (channel: string, id: string, email?: string) => makeEnvelope({ channel, source: "x", eventId: "e", sender: { id, ...(email ? { email } : {}) }, text: "hi" });

describe("identity links", () => {
  const resolve = identityResolver({ alice: ["slack:U1", "Alice@Example.com"], bob: ["telegram:42"] });

  it("find the gateway user by channel and sender id, or by the email the platform vouches for", () => {
    assert.equal(resolve(from("slack", "U1")), "alice");
    assert.equal(resolve(from("telegram", "42")), "bob");
    assert.equal(resolve(from("mail", "whoever", "alice@example.COM")), "alice");
    assert.equal(resolve(from("telegram", "U1")), undefined, "an id counts only on its channel");
    assert.equal(resolve(from("slack", "U2")), undefined);
  });

  it("refuse an identity linked to two users, and entries that are neither channel:id nor email", () => {
    assert.deepEqual(identityLinkIssues({ a: ["slack:U1"], b: ["slack:U1"] }).map((i) => i.message), ['"slack:U1" is already linked to "a"; an identity belongs to one user']);
    assert.match(identityLinkIssues({ a: ["U1"] })[0]!.message, /neither <channel id>:<sender id>/);
    assert.throws(() => parseConfig({ identityLinks: { a: ["a@x.org"], b: ["A@X.org"] } }), /identityLinks\.b\.0: "A@X\.org" is already linked to "a"/);
  });
});
