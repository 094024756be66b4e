import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { adminHeaders, TEST_ADMIN_TOKEN, tempDir, postJson, getJson, waitFor } from "../helpers/gateway.ts";
import { startCli, killHard, type RunningGateway } from "../helpers/process.ts";

const agentModule = fileURLToPath(new URL("../fixtures/blocking-agent.ts", import.meta.url));

describe("kill -9 mid-turn", () => {
  const dir = tempDir();
  const markerFile = join(dir, "blocked");
  const runsFile = join(dir, "runs.log");
  const configFile = join(dir, "switchboard.yaml");
  writeFileSync(
    configFile,
    [
      "store: sqlite:./data/switchboard.db",
      "server: { port: 0 }",
      "defaultAgent: blocker",
      "agents:",
      `  blocker: { kind: function, module: ${JSON.stringify(agentModule)}, export: create, options: { markerFile: ${JSON.stringify(markerFile)}, runsFile: ${JSON.stringify(runsFile)} } }`,
      "channels:",
      "  api: { type: http, auth: none }",
      `admin: { token: ${JSON.stringify(TEST_ADMIN_TOKEN)} }`,
    ].join("\n"),
  );
  let gateway: RunningGateway | undefined;
  after(async () => {
    if (gateway) await killHard(gateway.child);
  });

  it("answers the message exactly once after a restart, and the session continues", async () => {
    gateway = await startCli(["-c", configFile]);
    const accepted = await postJson(`${gateway.url}/v1/messages`, { user: "crash-user", text: "please block", id: "m1" }, { prefer: "respond-async" });
    assert.equal(accepted.status, 202);
    const session = accepted.body.session as string;
    await waitFor(() => existsSync(markerFile), { what: "the agent to start its turn" });

    await killHard(gateway.child);
    gateway = await startCli(["-c", configFile]);

    // The restarted gateway resumes the pending message by itself.
    const shown = await waitFor(async () => {
      const res = await getJson(`${gateway!.url}/v1/sessions/${session}`, adminHeaders);
      return res.body.transcript?.some((e: { role: string }) => e.role === "assistant") ? res.body : undefined;
    }, { what: "the resumed turn" });
    assert.deepEqual(
      shown.transcript.map((e: { role: string; text: string }) => `${e.role}:${e.text}`),
      ["user:please block", "assistant:answered: please block"],
    );

    // The client retries its request: same reply, no new turn.
    const retry = await postJson(`${gateway.url}/v1/messages`, { user: "crash-user", text: "please block", id: "m1" });
    assert.equal(retry.status, 200);
    assert.equal(retry.body.reply, "answered: please block");
    assert.equal(retry.body.duplicate, true);
    assert.deepEqual(readFileSync(runsFile, "utf8").trim().split("\n"), ["please block", "please block"], "one killed run and one completed run");

    // The session continues where it was.
    const next = await postJson(`${gateway.url}/v1/messages`, { user: "crash-user", text: "and then?" });
    assert.equal(next.body.session, session);
    const after = await getJson(`${gateway.url}/v1/sessions/${session}`, adminHeaders);
    assert.equal(after.body.transcript.length, 4);
    assert.equal(after.body.transcript.filter((e: { text: string }) => e.text === "answered: please block").length, 1);
  });
});
