import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { newMasterKey } from "../../../src/core/secrets/index.ts";
import { addStoredHook, ask, issueKey, postHook, postSigned, secretsSetup, until, type SecretsSetup } from "./setup.ts";
import { killHard } from "../../helpers/process.ts";

describe("master key rotation", () => {
  let s: SecretsSetup;
  const oldKey = newMasterKey();
  const newKey = newMasterKey();
  before(async () => {
    s = await secretsSetup();
  });
  after(() => s.cleanup());

  it("keys issued before `secrets rotate` still work after it, during the run and under the new key alone", async () => {
    const apiKey = await issueKey(s, ["api"], { SWITCHBOARD_MASTER_KEY: oldKey });
    const hookKey = await issueKey(s, ["hook"], { SWITCHBOARD_MASTER_KEY: oldKey });
    // A channel created with the CLI: its signature secret is a sealed credential in the store.
    await addStoredHook(s, "stored-hook", { SWITCHBOARD_MASTER_KEY: oldKey });
    const newKeyFile = join(s.dir, "new.key");
    writeFileSync(newKeyFile, `${newKey}\n`, { mode: 0o600 });

    // A gateway that knows both keys keeps answering while the store is rewritten.
    const both = await s.start({ SWITCHBOARD_MASTER_KEY: newKey, SWITCHBOARD_MASTER_KEY_PREVIOUS: oldKey });
    assert.equal((await ask(both.url, apiKey)).status, 200);
    const rotate = await s.cli(["secrets", "rotate", "--new-key-file", newKeyFile], { SWITCHBOARD_MASTER_KEY: oldKey });
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.match(rotate.stdout, /3 stored secret\(s\) now under master key/);
    await new Promise((r) => setTimeout(r, 1_200));
    assert.equal((await ask(both.url, apiKey)).status, 200);
    assert.equal(await postSigned(both.url, "stored-hook", "during-rotation"), 202);
    await killHard(both.child);

    const again = await s.cli(["secrets", "rotate", "--new-key-file", newKeyFile], { SWITCHBOARD_MASTER_KEY: newKey });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^0 stored secret\(s\)/, "a second run finds nothing left to do");

    const onlyNew = await s.start({ SWITCHBOARD_MASTER_KEY: newKey });
    assert.equal((await ask(onlyNew.url, apiKey)).status, 200);
    assert.equal((await postHook(onlyNew.url, hookKey, "after-rotation")).status, 202);
    assert.equal(await postSigned(onlyNew.url, "stored-hook", "after-rotation"), 202, "the stored channel's credentials were re-encrypted");
    assert.equal((await ask(onlyNew.url)).status, 401);
    await killHard(onlyNew.child);
  });

  it("with the wrong master key the channel fails closed: every caller gets 401, and the log and CLI say why", async () => {
    const wrong = await s.start({ SWITCHBOARD_MASTER_KEY: oldKey });
    await until(wrong.url, undefined, 401);
    const refused = await ask(wrong.url, "sbk_" + "x".repeat(43));
    assert.equal(refused.status, 401, "no key opens it, and it does not fall back to open");
    const hook = await postHook(wrong.url, "sbk_" + "y".repeat(43), "wrong-key");
    assert.equal(hook.status, 401);
    assert.match(JSON.stringify(hook.body), /channel keys cannot be checked/);
    assert.match(wrong.output(), /stored keys of this channel cannot be read.*encrypted under master key [\w-]{8}, but the master key set is [\w-]{8}/);
    assert.equal(await postSigned(wrong.url, "stored-hook", "wrong-key"), 404, "a stored channel whose credentials cannot be read does not run");
    assert.match(wrong.output(), /stored channel not started: its config cannot be read.*"channel":"stored-hook".*cannot decrypt channels\.stored-hook\.signature\.secret/);
    await killHard(wrong.child);

    const none = await s.start({});
    assert.equal((await ask(none.url)).status, 401, "stored keys without any master key: still closed");
    assert.match(none.output(), /no master key: set SWITCHBOARD_MASTER_KEY or secrets\.masterKeyFile/);
    await killHard(none.child);

    const cli = await s.cli(["channels", "key", "api", "--rotate"], { SWITCHBOARD_MASTER_KEY: oldKey });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /cannot decrypt a key of channel api: it was encrypted under master key/);
    assert.equal(cli.stdout, "", "no new key is issued over keys that cannot be read");
  });

  it("the master key may come from secrets.masterKeyFile, relative to the config file", async () => {
    writeFileSync(join(s.dir, "master.key"), `${newKey}\n`, { mode: 0o600 });
    writeFileSync(s.configFile, `${readFileSync(s.configFile, "utf8")}secrets: { masterKeyFile: master.key }\n`);
    const rotated = await issueKey(s, ["api", "--rotate", "--grace", "0"], {});
    // No key in the environment: the gateway reads the config's key file.
    const gateway = await s.start({});
    assert.equal((await ask(gateway.url, rotated)).status, 200);
    assert.equal((await ask(gateway.url, "sbk_not-the-key")).status, 401);
    await killHard(gateway.child);
  });
});
