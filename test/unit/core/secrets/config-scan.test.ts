import { test } from "node:test";
import assert from "node:assert/strict";
import { formatConfigPath, isPlaintext, plaintextSecrets, secretFiles } from "../../../../src/core/secrets/config-scan.ts";

test("secrets written into the config are found by field name; env references and files are not", () => {
  const tree = {
    channels: {
      slack: { type: "slack", botToken: "xoxb-123", signingSecret: "${SLACK_SIGNING_SECRET}" },
      hook: { type: "webhook", key: "abcdefghijklmnopq", signature: { secret: "${HOOK_SECRET}" }, callbackHeaders: { Authorization: "Bearer ${CB_TOKEN}", "X-Api-Key": "plain" } },
      gh: { type: "github", app: { id: 1, privateKeyFile: "gh.pem" }, maxTokens: 5 },
      mail: { imap: { password: "hunter2" }, smtp: { password: "${SMTP_PASSWORD:-fallback}" } },
    },
    agents: { coder: { kind: "command", env: { ANTHROPIC_API_KEY: "sk-ant-xyz" } } },
    secrets: { masterKeyFile: "master.key" },
  };
  assert.deepEqual(plaintextSecrets(tree).map(formatConfigPath).sort(), [
    "agents.coder.env.ANTHROPIC_API_KEY",
    "channels.hook.callbackHeaders.X-Api-Key",
    "channels.hook.key",
    "channels.mail.imap.password",
    "channels.mail.smtp.password",
    "channels.slack.botToken",
  ]);
  assert.deepEqual(secretFiles(tree).map((f) => `${formatConfigPath(f.path)}=${f.file}`).sort(), ["channels.gh.app.privateKeyFile=gh.pem", "secrets.masterKeyFile=master.key"]);
});

test("a value is plaintext when anything but references and an auth scheme is left", () => {
  assert.equal(isPlaintext("${TOKEN}"), false);
  assert.equal(isPlaintext("Bearer ${TOKEN}"), false);
  assert.equal(isPlaintext("${A}${B}"), false);
  assert.equal(isPlaintext("${TOKEN:-}"), false);
  assert.equal(isPlaintext("${TOKEN:-dev-token}"), true);
  assert.equal(isPlaintext("$${TOKEN}"), true);
  assert.equal(isPlaintext("prefix-${TOKEN}"), true);
});
