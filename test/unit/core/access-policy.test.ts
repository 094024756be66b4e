import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideAccess, defaultPairing, type AccessPolicy } from "../../../src/core/access/policy.ts";
import { makeEnvelope, type Envelope } from "../../../src/core/envelope.ts";
import { newPairingCode, normalizePairingCode } from "../../../src/core/access/pairing-code.ts";

const policy = (fields: Partial<AccessPolicy>): AccessPolicy => ({ policy: "pairing", allow: [], groups: [], unmatched: "reply", pairing: { ...defaultPairing }, ...fields });
const dm = (sender: Envelope["sender"]) => makeEnvelope({ channel: "c", source: "slack", eventId: "e", sender, text: "hi" });
const inGroup = (sender: Envelope["sender"], id: string) => ({ ...dm(sender), conversation: { id, kind: "group" as const } });

describe("access decisions", () => {
  it("the allowlist matches sender ids exactly and emails in any case", () => {
    const access = policy({ policy: "allowlist", allow: ["U1", "Alice@Example.com"] });
    assert.equal(decideAccess(access, dm({ id: "U1" }), false).verdict, "allow");
    assert.equal(decideAccess(access, dm({ id: "u1" }), false).verdict, "deny", "ids are case-sensitive");
    assert.equal(decideAccess(access, dm({ id: "U9", email: "alice@example.COM" }), false).verdict, "allow");
    assert.equal(decideAccess(access, dm({ id: "U9", email: "mallory@example.com" }), false).verdict, "deny");
  });

  it("pairing offers a code in DMs only; in groups a stranger is simply refused", () => {
    const access = policy({ policy: "pairing" });
    assert.equal(decideAccess(access, dm({ id: "U1" }), false).verdict, "pair");
    assert.equal(decideAccess(access, inGroup({ id: "U1" }, "C1"), false).verdict, "deny");
    assert.equal(decideAccess(access, inGroup({ id: "U1" }, "C1"), true).verdict, "allow", "an approved sender may talk in groups too");
  });

  it("a listed group lets its members in; on GitHub a repository covers its issues", () => {
    const access = policy({ policy: "allowlist", groups: ["C1", "acme/app"] });
    assert.equal(decideAccess(access, inGroup({ id: "U1" }, "C1"), false).verdict, "allow");
    assert.equal(decideAccess(access, inGroup({ id: "U1" }, "acme/app#12"), false).verdict, "allow");
    assert.equal(decideAccess(access, inGroup({ id: "U1" }, "acme/application#12"), false).verdict, "deny");
    assert.equal(decideAccess(access, inGroup({ id: "U1" }, "C2"), false).verdict, "deny");
  });

  it("bots are refused quietly unless listed; disabled refuses even the list", () => {
    const bot = dm({ id: "B1", bot: true });
    const denied = decideAccess(policy({ policy: "pairing" }), bot, false);
    assert.deepEqual(denied.verdict === "deny" && denied.quiet, true);
    assert.equal(decideAccess(policy({ policy: "pairing", allow: ["B1"] }), bot, false).verdict, "allow");
    assert.equal(decideAccess(policy({ policy: "open" }), bot, false).verdict, "allow", "open means everyone");
    assert.equal(decideAccess(policy({ policy: "disabled", allow: ["B1"] }), bot, false).verdict, "deny");
  });
});

describe("pairing codes", () => {
  it("are 8 characters without look-alikes, and differ", () => {
    const codes = new Set(Array.from({ length: 1000 }, () => newPairingCode()));
    assert.equal(codes.size, 1000);
    for (const code of codes) assert.match(code, /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
  });

  it("are read back in any case, with spaces or dashes", () => {
    assert.equal(normalizePairingCode(" k7mx-2qpa "), "K7MX2QPA");
  });
});
