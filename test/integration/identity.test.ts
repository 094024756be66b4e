/**
 * One person on two channels, linked into one gateway user: the allowlist entry naming the user
 * lets both ids in, the per-sender rate limit counts both together, and the audit log says who
 * the sender was. Unlinked senders are still refused.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { postJson, startGateway, type TestGateway } from "../helpers/gateway.ts";

describe("identity links across channels", () => {
  let t: TestGateway;
  before(async () => {
    const access = { policy: "allowlist" as const, allow: ["alice"] };
    t = await startGateway({
      channels: { api: { type: "http" }, web: { type: "http", access }, partner: { type: "http", access } },
      identityLinks: { alice: ["web:a-123", "partner:p-9"] },
      limits: { perSender: "3/min" },
    });
  });
  after(() => t.stop());

  it("lets both of the user's ids in, and counts them as one sender", async () => {
    assert.equal((await postJson(`${t.url}/channels/web`, { user: "a-123", text: "one" })).status, 200);
    assert.equal((await postJson(`${t.url}/channels/partner`, { user: "p-9", text: "two" })).status, 200);
    assert.equal((await postJson(`${t.url}/channels/web`, { user: "a-123", text: "three" })).status, 200);
    const fourth = await postJson(`${t.url}/channels/partner`, { user: "p-9", text: "four" });
    assert.equal(fourth.status, 429, "the fourth message in a minute, counted across both channels");
    assert.equal((await postJson(`${t.url}/channels/web`, { user: "mallory", text: "hi" })).status, 403, "an unlinked sender is not alice");
    assert.equal((await postJson(`${t.url}/channels/web`, { user: "p-9", text: "hi" })).status, 403, "an id is linked on its own channel only");

    const [session] = await t.gw.gateway.store.listSessions({ userId: "a-123" });
    assert.equal(session?.identity, "alice", "the session records the linked user it runs as");

    await t.gw.gateway.audit.flush();
    const accepted = await t.gw.gateway.store.listAudit({ kind: "accepted" });
    assert.deepEqual(accepted.map((e) => `${e.channel} ${e.actor} ${e.subject}`).sort(), ["partner p-9 alice", "web a-123 alice", "web a-123 alice"]);
  });
});
