import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { channelFromConfig } from "../../../src/channels/from-config.ts";
import { GitHubChannel } from "../../../src/channels/github/index.ts";
import { parseConfig } from "../../../src/config/load.ts";
import { ConfigError } from "../../../src/core/errors.ts";

function issuesOf(github: Record<string, unknown>): string[] {
  try {
    parseConfig({ channels: { gh: { type: "github", ...github } } }, { env: {} });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.issues;
  }
  assert.fail("the config was accepted");
}

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

describe("GitHub channel config", () => {
  it("needs an App or a token, not both", () => {
    assert.deepEqual(issuesOf({}), ["channels.gh.app: give app (id, privateKey, installationId) or token (exactly one)"]);
    assert.deepEqual(issuesOf({ token: "t", repos: ["a/b"], app: { id: 1, privateKey: pem, installationId: 2 } }), ["channels.gh.app: give app (id, privateKey, installationId) or token (exactly one)"]);
  });

  it("with a token, needs the repositories to watch", () => {
    assert.deepEqual(issuesOf({ token: "t" }), ["channels.gh.repos: required with a token (list owner/name); only an App installation can stand for all its repositories"]);
  });

  it("names bad repositories, keys, ids and modes by path", () => {
    assert.deepEqual(issuesOf({ token: "t", repos: ["widgets"] }), ["channels.gh.repos.0: write owner/name"]);
    assert.deepEqual(issuesOf({ app: { id: 1, installationId: 2 } }), ["channels.gh.app.privateKey: give privateKey or privateKeyFile (exactly one)"]);
    assert.deepEqual(issuesOf({ app: { id: 1, installationId: 2, privateKey: "not a key" } }), ["channels.gh.app.privateKey: must be a PEM private key (-----BEGIN ... PRIVATE KEY-----)"]);
    assert.deepEqual(issuesOf({ token: "t", repos: ["a/b"], mode: "webhook" }), ["channels.gh.webhookSecret: required when mode is webhook (the secret set on the GitHub App's webhook)"]);
    assert.equal(issuesOf({ token: "t", repos: ["a/b"], mentionName: "two words" }).length, 1);
  });

  it("takes ids from environment variables (strings) and durations", () => {
    const config = parseConfig(
      { channels: { gh: { type: "github", app: { id: "${APP_ID}", installationId: "${INSTALLATION}", privateKey: "${KEY}" }, pollInterval: "30s" } } },
      { env: { APP_ID: "123", INSTALLATION: "456", KEY: pem } },
    );
    const gh = config.channels.gh;
    assert.ok(gh?.type === "github");
    assert.equal(gh.app?.id, 123);
    assert.equal(gh.pollInterval, 30_000);
    assert.equal(gh.mode, "poll");
  });

  it("reads privateKeyFile relative to the config's folder, and says which file it cannot read", () => {
    const dir = mkdtempSync(join(tmpdir(), "switchboard-gh-"));
    try {
      writeFileSync(join(dir, "app.pem"), pem);
      const config = parseConfig({ channels: { gh: { type: "github", app: { id: 1, installationId: 2, privateKeyFile: "app.pem" } } } }, { env: {} });
      assert.ok(channelFromConfig("gh", config.channels.gh!, { baseDir: dir }) instanceof GitHubChannel);
      const missing = parseConfig({ channels: { gh: { type: "github", app: { id: 1, installationId: 2, privateKeyFile: "nope.pem" } } } }, { env: {} });
      assert.throws(() => channelFromConfig("gh", missing.channels.gh!, { baseDir: dir }), /channels\.gh\.app\.privateKeyFile: cannot read .*nope\.pem \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses the same mistakes when built in code", () => {
    assert.throws(() => new GitHubChannel({ id: "gh" }), /give a token or an app/);
    assert.throws(() => new GitHubChannel({ id: "gh", token: "t" }), /list the repositories to watch/);
    assert.throws(() => new GitHubChannel({ id: "gh", token: "t", repos: ["a/b"], mode: "webhook" }), /webhook mode needs webhookSecret/);
    assert.throws(() => new GitHubChannel({ id: "gh", token: "t", repos: ["nope"] }), /"nope" is not a repository/);
  });
});
