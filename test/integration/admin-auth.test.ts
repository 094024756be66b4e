/**
 * The management API (`/v1/sessions`, `/v1/pairing`) answers only to the admin token: a caller
 * without it is told how to get one, a gateway without one has the management API off (never
 * open), and the message API keeps its own rules.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { adminHeaders, getJson, postJson, startGateway, tempDir, TEST_ADMIN_TOKEN, type TestGateway } from "../helpers/gateway.ts";
import { createGateway } from "../../src/switchboard.ts";
import { createLogger } from "../../src/core/log.ts";
import { ConfigError } from "../../src/core/errors.ts";

const managementPaths = ["/v1/sessions", "/v1/pairing", "/v1/channels", "/v1/schedules"];

describe("management API with an admin token", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway();
  });
  after(() => t.stop());

  it("refuses a caller without a token with 401 and says how to get one", async () => {
    for (const path of managementPaths) {
      const res = await fetch(`${t.url}${path}`);
      assert.equal(res.status, 401, path);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
      const body = (await res.json()) as { error: string };
      assert.match(body.error, /missing admin token/);
      assert.match(body.error, /Authorization: Bearer/);
      assert.match(body.error, /switchboard admin-token --show/);
    }
  });

  it("refuses a wrong token, one a character short, and the token sent another way", async () => {
    const wrong: Array<Record<string, string>> = [
      { authorization: "Bearer not-the-admin-token-0123456789-abcdefgh" },
      { authorization: `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}` },
      { "x-switchboard-key": TEST_ADMIN_TOKEN },
      { authorization: TEST_ADMIN_TOKEN },
    ];
    for (const headers of wrong) {
      const res = await getJson(`${t.url}/v1/sessions`, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
    }
    const res = await getJson(`${t.url}/v1/pairing`, { authorization: "Bearer wrong-token" });
    assert.match(res.body.error, /wrong admin token/);
  });

  it("serves the right token on every management route, and guards routes still to come", async () => {
    const sent = await postJson(`${t.url}/v1/messages`, { user: "ada", text: "hello" });
    assert.equal(sent.status, 200);
    const list = await getJson(`${t.url}/v1/sessions`, adminHeaders);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.sessions.map((s: { id: string }) => s.id), [sent.body.session]);
    assert.equal((await getJson(`${t.url}/v1/sessions/${sent.body.session}`, adminHeaders)).body.transcript.length, 2);
    assert.deepEqual((await getJson(`${t.url}/v1/pairing`, adminHeaders)).body, { requests: [] });
    assert.equal((await postJson(`${t.url}/v1/sessions/${sent.body.session}/reset`, {})).status, 401);
    assert.equal((await postJson(`${t.url}/v1/sessions/${sent.body.session}/reset`, {}, adminHeaders)).status, 200);
    assert.equal((await fetch(`${t.url}/v1/schedules`)).status, 401);
    assert.deepEqual((await getJson(`${t.url}/v1/schedules`, adminHeaders)).body, { schedules: [] });
    assert.equal((await postJson(`${t.url}/v1/messages/outbound`, { channel: "api", to: "x", text: "y" })).status, 401, "sending first is an operator's act");
    assert.equal((await fetch(`${t.url}/v1/channels`)).status, 401);
    assert.deepEqual((await getJson(`${t.url}/v1/channels`, adminHeaders)).body.channels.map((c: { id: string }) => c.id), ["api"]);
  });

  it("leaves the message API to its own rules: open here without a channel key", async () => {
    const res = await postJson(`${t.url}/v1/messages`, { user: "bob", text: "no token needed" });
    assert.equal(res.status, 200);
    assert.equal(res.body.reply, "no token needed");
  });
});

describe("management API without an admin token", () => {
  let t: TestGateway;
  before(async () => {
    t = await startGateway({ admin: {} });
  });
  after(() => t.stop());

  it("is off, whatever the caller sends, while the message API still answers", async () => {
    for (const path of managementPaths) {
      for (const headers of [{}, adminHeaders, { authorization: "Bearer " }]) {
        const res = await getJson(`${t.url}${path}`, headers);
        assert.equal(res.status, 403, path);
        assert.match(res.body.error, /management API is off.*admin\.token/);
      }
    }
    assert.equal((await postJson(`${t.url}/v1/messages`, { user: "u", text: "still here" })).body.reply, "still here");
  });

  it("is off too when admin.enabled is false, even with a token", async () => {
    const off = await startGateway({ admin: { enabled: false, token: TEST_ADMIN_TOKEN } });
    try {
      assert.equal((await getJson(`${off.url}/v1/sessions`, adminHeaders)).status, 403);
    } finally {
      await off.stop();
    }
  });
});

describe("the admin token in code and in config", () => {
  const dir = tempDir("switchboard-admin-");
  const quiet = createLogger({ level: "error" });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = (admin: Record<string, unknown>) => ({
    store: `sqlite:${join(dir, "gw.db")}`,
    server: { port: 0 },
    defaultAgent: "helper",
    agents: { helper: { kind: "echo" as const } },
    channels: { api: { type: "http" as const } },
    admin,
  });

  it("a gateway made in code writes no token file: without admin.token its management API is off", async () => {
    const gw = createGateway({ config: config({}), baseDir: dir, log: quiet });
    await gw.start();
    try {
      assert.equal((await fetch(`${gw.url}/v1/sessions`)).status, 403);
      assert.equal(existsSync(join(dir, ".switchboard")), false);
    } finally {
      await gw.stop();
    }
  });

  it("reads admin.tokenFile relative to baseDir, and refuses one other users can read", async () => {
    const file = join(dir, "admin-token");
    writeFileSync(file, `${TEST_ADMIN_TOKEN}\n`, { mode: 0o600 });
    const gw = createGateway({ config: config({ tokenFile: "admin-token" }), baseDir: dir, log: quiet });
    await gw.start();
    try {
      assert.equal((await fetch(`${gw.url}/v1/sessions`, { headers: adminHeaders })).status, 200);
    } finally {
      await gw.stop();
    }
    if (process.platform === "win32") return;
    chmodSync(file, 0o644);
    const loose = createGateway({ config: config({ tokenFile: "admin-token" }), baseDir: dir, log: quiet });
    await assert.rejects(loose.start(), (error: Error) => error instanceof ConfigError && /admin\.tokenFile: .*admin-token is open to other users \(mode 0644\).*chmod 600/.test(error.message));
  });

  it("names the config path of a short token, a missing file, or both token and tokenFile", async () => {
    assert.throws(() => createGateway({ config: config({ token: "too-short" }) }), /admin\.token: must be at least 32 characters/);
    assert.throws(() => createGateway({ config: config({ token: TEST_ADMIN_TOKEN, tokenFile: "x" }) }), /admin\.tokenFile: give token or tokenFile, not both/);
    const missing = createGateway({ config: config({ tokenFile: "nope/admin-token" }), baseDir: dir, log: quiet });
    await assert.rejects(missing.start(), /admin\.tokenFile: .*nope\/admin-token: file not found/);
  });
});
