import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { newMasterKey } from "../../../src/core/secrets/index.ts";
import { issueKey, secretsSetup, type SecretsSetup } from "./setup.ts";

describe("switchboard doctor", () => {
  const setups: SecretsSetup[] = [];
  after(() => Promise.all(setups.map((s) => s.cleanup())));

  it("a config that takes its secrets from the environment and its master key from a private file has no warnings", async () => {
    const s = await secretsSetup("secrets: { masterKeyFile: master.key }\n");
    setups.push(s);
    writeFileSync(join(s.dir, "master.key"), `${newMasterKey()}\n`, { mode: 0o600 });
    await issueKey(s, ["api"], {});
    const result = await s.cli(["doctor"]);
    assert.equal(result.stdout.includes("warning"), false, result.stdout);
    assert.match(result.stdout, /no problems found/);
    assert.equal(result.code, 0);
  });

  it("warns about plaintext secrets, a readable key file and stored keys without a master key, showing no value", async () => {
    const plainKey = "plain-webhook-key-0123456789";
    const s = await secretsSetup(`  loose:
    type: webhook
    callbackUrl: http://127.0.0.1:9/cb
    signature: { secret: "plain-signature-secret-0123456789" }
    key: ${plainKey}
    callbackHeaders: { X-Api-Key: "\${CALLBACK_KEY}" }
`);
    setups.push(s);
    const masterKey = newMasterKey();
    const keyFile = join(s.dir, "shared.key");
    writeFileSync(keyFile, `${masterKey}\n`);
    chmodSync(keyFile, 0o644);
    await issueKey(s, ["api"], { SWITCHBOARD_MASTER_KEY: masterKey, CALLBACK_KEY: "from-env" });

    const result = await s.cli(["doctor"], { CALLBACK_KEY: "from-env", SWITCHBOARD_MASTER_KEY_FILE: keyFile });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /warning: channels\.loose\.signature\.secret: a secret written into the config in plain text \(••••\)/);
    assert.match(result.stdout, /warning: channels\.loose\.key: a secret written into the config in plain text/);
    assert.doesNotMatch(result.stdout, /callbackHeaders/, "a header taken from the environment is fine");
    assert.match(result.stdout, /warning: SWITCHBOARD_MASTER_KEY_FILE: .*shared\.key can be read by other users \(mode 0644\); run: chmod 600/);
    assert.match(result.stdout, /: 3 warning\(s\)$/m);
    for (const secret of [plainKey, "plain-signature-secret", masterKey]) assert.ok(!(result.stdout + result.stderr).includes(secret), "doctor prints no secret value");

    const withoutKey = await s.cli(["doctor"], { CALLBACK_KEY: "from-env" });
    assert.equal(withoutKey.code, 1);
    assert.match(withoutKey.stdout, /warning: channels\.api: has generated keys in the store but no master key: set SWITCHBOARD_MASTER_KEY or secrets\.masterKeyFile/);
  });

  it("warns about an open http channel on a public address, and about the master key start generated beside the data", async () => {
    const s = await secretsSetup("  open: { type: http, auth: none }\nserver: { host: 0.0.0.0, port: 0 }\n");
    setups.push(s);
    const gateway = await s.start({});
    assert.match(gateway.output(), /master key written to .*\.switchboard\/master-key/);
    const result = await s.cli(["doctor"]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /warning: channels\.open: auth: none on 0\.0\.0\.0 lets anyone who can reach the port talk to the agents/);
    assert.match(result.stdout, /warning: secrets: the master key is the file switchboard start generated \(.*master-key\), beside the data/);
    assert.doesNotMatch(result.stdout, /channels\.api:/, "the api channel got a key at the start");
  });
});
