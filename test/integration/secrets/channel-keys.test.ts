import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { newMasterKey } from "../../../src/core/secrets/index.ts";
import { getJson } from "../../helpers/gateway.ts";
import { ask, issueKey, postHook, secretsSetup, SIGNATURE_SECRET, until, type SecretsSetup } from "./setup.ts";

describe("generated channel keys", () => {
  let s: SecretsSetup;
  const masterKey = newMasterKey();
  const env = { SWITCHBOARD_MASTER_KEY: masterKey };
  before(async () => {
    s = await secretsSetup();
  });
  after(() => s.cleanup());

  it("the first start gives the http channel a key; rotation keeps both keys for the grace period, then only the new one", async () => {
    const gateway = await s.start(env);
    const first = /channel api: generated now[^\n]*\n\s+(sbk_[A-Za-z0-9_-]+)/.exec(gateway.output())?.[1];
    assert.ok(first, `the start banner shows the new key once:\n${gateway.output()}`);
    assert.equal(gateway.output().split(first).length - 1, 1);
    assert.doesNotMatch(gateway.output(), /master key written/, "the master key came from the environment: no file is written");
    assert.equal((await ask(gateway.url)).status, 401, "an http channel without a key in the config is not open");
    assert.equal((await ask(gateway.url, first)).status, 200);
    assert.equal((await ask(gateway.url, first.slice(0, -1) + (first.endsWith("A") ? "B" : "A"))).status, 401);

    const again = await s.cli(["channels", "key", "api"], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has a key; rotate it with --rotate/);

    const second = await issueKey(s, ["api", "--rotate", "--grace", "4s"], env);
    // The CLI took the time of the rotation before it exited: the grace ends at most 4 s from now.
    const graceEndsBy = Date.now() + 4_000;
    await until(gateway.url, second, 200);
    assert.equal((await ask(gateway.url, first)).status, 200, "the old key works during the grace period");

    await new Promise((r) => setTimeout(r, Math.max(0, graceEndsBy + 200 - Date.now())));
    assert.equal((await ask(gateway.url, first)).status, 401, "after the grace period the old key is refused");
    assert.equal((await ask(gateway.url, second)).status, 200);

    assert.equal(await wsOutcome(gateway.url, second), "open", "the WebSocket API takes the generated key as ?key=");
    assert.equal(await wsOutcome(gateway.url, first), "status 401");

    const hookKey = await issueKey(s, ["hook"], env);
    const accepted = await waitForHook(gateway.url, hookKey);
    assert.equal(accepted.status, 202);
    assert.equal((await postHook(gateway.url, second, "m-2")).status, 401, "one channel's key does not open another");

    const audit = await s.cli(["audit", "--json"], env);
    const kinds = (JSON.parse(audit.stdout) as Array<{ kind: string; channel: string; actor: string }>).map((e) => `${e.kind} ${e.channel} ${e.actor}`);
    for (const line of ["key.issued api admin:start", "key.rotated api admin:cli", "key.issued hook admin:cli"]) assert.ok(kinds.includes(line), `audit lacks "${line}": ${kinds.join("; ")}`);
    assert.doesNotMatch(audit.stdout, new RegExp(`${first}|${second}|${hookKey}`), "no key in the audit log");

    // Nothing configured or generated is in the database files, the WAL included.
    const bytes = s.databaseBytes();
    assert.ok(bytes.includes("sb1:"), "the scan sees the stored (encrypted) keys, so it would see them in clear too");
    for (const secret of [first, second, hookKey, SIGNATURE_SECRET, masterKey, Buffer.from(masterKey, "base64").toString("hex")]) {
      assert.equal(bytes.includes(secret), false, `a secret (${secret.slice(0, 6)}…) is stored in clear`);
    }
    // The start banner showed the first key once, as it must; after it, the log shows no secret.
    const log = gateway.output().slice(gateway.output().indexOf("Stop with Ctrl+C."));
    for (const secret of [first, second, hookKey, SIGNATURE_SECRET, masterKey]) assert.ok(!log.includes(secret), "the gateway log shows no secret");

    // Nor does any answer of the API: the management routes, the message API, a refusal.
    const admin = { authorization: `Bearer ${readFileSync(join(s.dir, ".switchboard", "admin-token"), "utf8").trim()}` };
    const sessions = await getJson(`${gateway.url}/v1/sessions`, admin);
    assert.equal(sessions.status, 200);
    const answers = [
      JSON.stringify(sessions.body),
      JSON.stringify((await getJson(`${gateway.url}/v1/sessions/${sessions.body.sessions[0].id}`, admin)).body),
      JSON.stringify((await getJson(`${gateway.url}/v1/pairing`, admin)).body),
      JSON.stringify((await ask(gateway.url, second)).body),
      JSON.stringify((await ask(gateway.url, first)).body),
      JSON.stringify((await postHook(gateway.url, "sbk_wrong", "m-x")).body),
      await (await fetch(`${gateway.url}/healthz`)).text(),
    ];
    for (const secret of [first, second, hookKey, SIGNATURE_SECRET, masterKey]) {
      assert.ok(!answers.some((body) => body.includes(secret)), `an API answer shows a secret (${secret.slice(0, 6)}…)`);
    }
  });

  it("a channel without keys, or of another type, is refused clearly; so is a store without a master key", async () => {
    const unknown = await s.cli(["channels", "key", "nope"], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /error: no channel "nope"/);
    const noKey = await s.cli(["channels", "key", "api", "--rotate"], { SWITCHBOARD_MASTER_KEY: "" });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /set SWITCHBOARD_MASTER_KEY or secrets\.masterKeyFile/);
    assert.equal(noKey.stdout, "");
    const badGrace = await s.cli(["channels", "key", "api", "--rotate", "--grace", "soon"], env);
    assert.equal(badGrace.code, 2);
    assert.match(badGrace.stderr, /--grace: "soon" is not a duration/);
  });
});

async function waitForHook(url: string, key: string) {
  const deadline = Date.now() + 5_000;
  for (let i = 0; ; i++) {
    const response = await postHook(url, key, `m-1-${i}`);
    if (response.status !== 401 || Date.now() > deadline) return response;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a WebSocket with `?key=` opens, or the upgrade is refused. */
function wsOutcome(url: string, key: string): Promise<string> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/ws?key=${encodeURIComponent(key)}`);
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.close();
      resolve("open");
    });
    ws.once("unexpected-response", (_request, response) => {
      response.resume();
      ws.terminate();
      resolve(`status ${response.statusCode}`);
    });
    ws.once("error", reject);
  });
}
