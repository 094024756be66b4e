import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir, postJson } from "../helpers/gateway.ts";
import { startCli, killHard, type RunningGateway } from "../helpers/process.ts";

const agentModule = fileURLToPath(new URL("../fixtures/poison-agent.ts", import.meta.url));

describe("a message that crashes the process on every attempt", () => {
  const dir = tempDir();
  const configFile = join(dir, "switchboard.yaml");
  writeFileSync(
    configFile,
    [
      "store: sqlite:./gateway.db",
      "server: { port: 0 }",
      "defaultAgent: poison",
      `agents: { poison: { kind: function, module: ${JSON.stringify(agentModule)} } }`,
      "channels: { api: { type: http, auth: none } }",
    ].join("\n"),
  );
  let gateway: RunningGateway | undefined;
  after(async () => {
    if (gateway) await killHard(gateway.child);
  });

  it("is answered with an apology after three attempts, and the session goes on", async () => {
    let crashes = 0;
    let answer: { status: number; body: any } | undefined;
    // Each start resumes the message (or the client's retry brings it) and dies again, until
    // the attempts run out. The client retries with the same id, as a real client would.
    for (let start = 0; start < 6 && !answer; start++) {
      let started: RunningGateway | undefined;
      try {
        started = gateway = await startCli(["-c", configFile]);
        answer = await postJson(`${started.url}/v1/messages`, { user: "p", text: "poison pill", id: "poison-1" });
      } catch (error) {
        if (!started) {
          // It resumed the message and died before it printed its URL.
          assert.match((error as Error).message, /exited with null/);
          crashes++;
          continue;
        }
      }
      if (!answer) {
        const child = started.child;
        await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
        assert.equal(child.signalCode, "SIGKILL");
        crashes++;
      }
    }
    assert.equal(crashes, 3, "three attempts, each killed the process");
    assert.ok(answer);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, "failed");
    assert.match(answer.body.reply, /could not be processed after several attempts/);

    const next = await postJson(`${gateway!.url}/v1/messages`, { user: "p", text: "hello" });
    assert.equal(next.body.reply, "ok: hello");
    assert.equal(next.body.session, answer.body.session);
  });
});
