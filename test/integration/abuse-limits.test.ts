/**
 * Abuse limits through the HTTP API of real gateways: a sender over the rate gets 429 and when
 * to try again, text over the cap gets 413, and nothing refused is stored or answered. On a
 * shared Redis store, two gateways share one bucket per sender, and an idle bucket expires.
 */
import { deleteKeysUnder } from "../helpers/cluster/redis-keys.ts";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { adminHeaders, getJson, postJson, startGateway, type TestGateway } from "../helpers/gateway.ts";

const REDIS = "redis://127.0.0.1:6379";
const ASYNC = { prefer: "respond-async" };

describe("abuse limits on one gateway", () => {
  let t: TestGateway;
  after(() => t?.stop());

  it("a sender past their rate is refused with 429 before anything is stored; other senders go on", async () => {
    t = await startGateway({ limits: { perSender: "3/min", maxMessageChars: 50 } });
    for (let i = 0; i < 3; i++) assert.equal((await postJson(`${t.url}/v1/messages`, { user: "chatty", text: `m${i}`, id: `c${i}` }, ASYNC)).status, 202);
    const response = await fetch(`${t.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: "chatty", text: "one more", id: "c3" }) });
    const refused = { status: response.status, body: (await response.json()) as { error: string } };
    assert.equal(refused.status, 429);
    assert.match(refused.body.error, /^rate limit: at most 3 messages per minute from one sender; try again in \d+ s$/);
    const retryAfter = Number(response.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${response.headers.get("retry-after")}`);
    assert.equal(await t.gw.gateway.store.getMessage("api", "c3"), undefined, "the refused message was not stored");

    const again = await postJson(`${t.url}/v1/messages`, { user: "chatty", text: "m0", id: "c0" }, ASYNC);
    assert.equal(again.status, 202, "a resend of an accepted message is still its duplicate, not a 429");
    assert.equal(again.body.status, "duplicate");

    const other = await postJson(`${t.url}/v1/messages`, { user: "quiet", text: "hello" });
    assert.equal(other.status, 200);
    assert.equal(other.body.reply, "hello");
  });

  it("text over the cap is refused with 413 and the limit, never cut short", async () => {
    const res = await postJson(`${t.url}/v1/messages`, { user: "writer", text: "x".repeat(51), id: "long" });
    assert.equal(res.status, 413);
    assert.equal(res.body.error, "message too long: 51 characters, the limit is 50; send it in parts or as a file");
    assert.equal(await t.gw.gateway.store.getMessage("api", "long"), undefined);
    const sessions = await getJson(`${t.url}/v1/sessions?user=writer`, adminHeaders);
    assert.deepEqual(sessions.body.sessions, [], "no session was opened for it");
  });
});

describe("abuse limits on gateways sharing a Redis store", () => {
  const prefix = `sbtest:limits:${randomUUID()}:`;
  const gateways: TestGateway[] = [];
  const admin = new Redis(REDIS, { lazyConnect: true });

  after(async () => {
    for (const gateway of gateways) await gateway.stop();
    await deleteKeysUnder(prefix);
    await admin.quit();
  });

  it("one sender's bucket is shared: across both gateways exactly the rate gets through, and the bucket expires when idle", async () => {
    for (let i = 0; i < 2; i++) gateways.push(await startGateway({ store: `${REDIS}/0?prefix=${prefix}`, limits: { perSender: "4/min" } }));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await postJson(`${gateways[i % 2]!.url}/v1/messages`, { user: "roamer", text: `m${i}`, id: `r${i}` }, ASYNC);
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.filter((s) => s === 202).length, 4, `statuses: ${statuses.join(",")}`);
    assert.deepEqual(statuses.slice(4), [429, 429, 429, 429], "the first four took the bucket, whichever gateway they reached");

    const [bucket] = await admin.keys(`${prefix}bucket:*`);
    assert.ok(bucket, "the bucket lives in Redis under the store's prefix");
    const ttl = await admin.pttl(bucket);
    assert.ok(ttl > 0 && ttl <= 60_000, `an idle bucket goes away once it is full again (pttl ${ttl})`);
  });
});
