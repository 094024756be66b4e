import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getJson, postJson, tempDir } from "../helpers/gateway.ts";
import { killHard, runCli, startCli, type RunningGateway } from "../helpers/process.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { closedPort as freePort } from "../helpers/net.ts";

/** Send SIGTERM and wait for the process to exit. */
function terminate(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.kill("SIGTERM");
  });
}

const echoConfig = (extra = "") => `store: sqlite:./data/switchboard.db
defaultAgent: helper
agents:
  helper: { kind: echo }
channels:
  api: { type: http }
${extra}`;

interface SessionJson {
  id: string;
  agent: string;
  channel: string;
  userId: string;
  status: "active" | "ended";
}

describe("switchboard check", () => {
  let dir: string;
  before(() => {
    dir = tempDir("switchboard-cli-");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("accepts a good config, exits 0 and summarizes it", async () => {
    const file = write("good.yaml", echoConfig("routes:\n  - name: billing\n    when: { keyword: invoice }\n    then: { agent: helper }\n"));
    const result = await runCli(["check", "-c", file]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /good\.yaml: OK/);
    assert.match(result.stdout, /agents:\s+helper; default helper/);
    assert.match(result.stdout, /channels:\s+api \(http\)/);
    assert.match(result.stdout, /routes:\s+billing/);
  });

  it("pairing list and approve: an admin lets a sender in from the command line", async () => {
    const file = write("pairing.yaml", echoConfig());
    const store = await openSqliteStore(join(dir, "data", "switchboard.db"));
    await store.requestPairing({ channel: "api", senderId: "U42", senderName: "Dana", code: "K7MX2QPA", now: Date.now(), ttlMs: 3_600_000, maxPending: 20 });
    await store.close();

    const list = await runCli(["pairing", "list", "-c", file]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /api\s+K7MX2QPA\s+U42\s+Dana/);
    const wrong = await runCli(["pairing", "approve", "api", "AAAABBBB", "-c", file]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /no pending pairing code "AAAABBBB" on api/);
    const unknownChannel = await runCli(["pairing", "approve", "nope", "K7MX2QPA", "-c", file]);
    assert.equal(unknownChannel.code, 1);
    assert.match(unknownChannel.stderr, /no channel "nope"/);
    const approve = await runCli(["pairing", "approve", "api", "k7mx-2qpa", "-c", file]);
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /approved Dana \(U42\) on api/);

    const after = await openSqliteStore(join(dir, "data", "switchboard.db"));
    assert.equal(await after.isSenderApproved("api", "U42"), true);
    await after.close();
    assert.match((await runCli(["pairing", "list", "-c", file])).stdout, /no pending pairing codes/);
    const audit = await runCli(["audit", "--kind", "pairing.approved", "--since", "1h", "-c", file]);
    assert.equal(audit.code, 0, audit.stderr);
    assert.match(audit.stdout, /pairing\.approved\s+api\s+admin:cli → U42/);
    const bad = await runCli(["audit", "--since", "soon", "-c", file]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--since "soon" is not a duration/);
  });

  it("never prints the store's password", async () => {
    const file = write("redis.yaml", echoConfig().replace("store: sqlite:./data/switchboard.db", 'store: "redis://:s3cret-pass@127.0.0.1:6379/0?prefix=cli:"'));
    const result = await runCli(["check", "-c", file]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /store:\s+redis:\/\/:••••@127\.0\.0\.1:6379/);
    assert.doesNotMatch(result.stdout + result.stderr, /s3cret-pass/);
  });

  it("rejects a bad config with exit 2 and one line per problem, naming its path", async () => {
    const file = write("bad.yaml", 'agents:\n  helper: { kind: echo }\nchannels:\n  api: { key: "0123456789abcdef0123" }\ncolour: blue\n');
    const result = await runCli(["check", "-c", file]);
    assert.equal(result.code, 2);
    const lines = result.stderr.split("\n").map((line) => line.trim());
    assert.ok(lines.some((line) => /^channels\.api\.type: required\b/.test(line)), result.stderr);
    assert.ok(lines.some((line) => /^colour: unknown key "colour"$/.test(line)), result.stderr);
    assert.doesNotMatch(result.stdout, /OK/);
  });

  it("reports a missing environment variable with its path", async () => {
    const file = write("env.yaml", echoConfig().replace("{ type: http }", '{ type: http, key: "${NOPE}" }'));
    const result = await runCli(["check", "-c", file], { env: { NOPE: undefined } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /channels\.api\.key: environment variable NOPE is not set/);
  });

  it("names file:line:col for a YAML syntax error", async () => {
    const file = write("syntax.yaml", "agents:\n  helper: { kind: echo\nchannels: [\n");
    const result = await runCli(["check", "-c", file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /syntax\.yaml:\d+:\d+: /);
  });

  it("builds the channels too: a GitHub App key file that cannot be read is named", async () => {
    const file = write("gh.yaml", "agents:\n  helper: { kind: echo }\nchannels:\n  gh: { type: github, app: { id: 1, installationId: 2, privateKeyFile: keys/app.pem } }\n");
    const result = await runCli(["check", "-c", file]);
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, /channels\.gh\.app\.privateKeyFile: cannot read .*keys\/app\.pem \(ENOENT\)/);
  });

  it("says so when the config file does not exist", async () => {
    const result = await runCli(["check", "-c", join(dir, "missing.yaml")]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing\.yaml: file not found/);
  });
});

describe("switchboard start", () => {
  let dir: string;
  let running: RunningGateway | undefined;
  before(() => {
    dir = tempDir("switchboard-cli-");
  });
  after(async () => {
    if (running) await killHard(running.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the config it is given on the port it is told, and stops cleanly on SIGTERM", async () => {
    const file = join(dir, "cfg.yaml");
    writeFileSync(file, echoConfig());
    running = await startCli(["-c", file, "--port", "0"]);
    assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(running.url).port, "0");
    const health = await getJson(`${running.url}/healthz`);
    assert.equal(health.status, 200);
    // The http channel has no key in the config: the first start made one and showed it once.
    const key = /API key +channel api: generated now[^\n]*\n\s+(sbk_[A-Za-z0-9_-]+)/.exec(running.output())?.[1];
    assert.ok(key, `the banner shows the generated key:\n${running.output()}`);
    assert.equal((await postJson(`${running.url}/v1/messages`, { user: "alice", text: "no key" })).status, 401);
    const reply = await postJson(`${running.url}/v1/messages`, { user: "alice", text: "are you there" }, { authorization: `Bearer ${key}` });
    assert.equal(reply.body.reply, "are you there");
    assert.ok(existsSync(join(dir, "data", "switchboard.db")), "the store path is relative to the config file");
    const masterKeyFile = join(dir, ".switchboard", "master-key");
    assert.match(running.output(), /master key written to .*master-key \(mode 0600\)/);
    if (process.platform !== "win32") assert.equal(statSync(masterKeyFile).mode & 0o777, 0o600);
    assert.ok(!readFileSync(join(dir, "data", "switchboard.db")).includes(key), "the key is stored encrypted");

    const exit = await terminate(running.child);
    assert.deepEqual(exit, { code: 0, signal: null }, running.output());

    // A second start keeps the key and shows it no more.
    running = await startCli(["-c", file, "--port", "0"]);
    assert.ok(!running.output().includes(key) && !/API key|master key written/.test(running.output()), running.output());
    assert.equal((await postJson(`${running.url}/v1/messages`, { user: "alice", text: "still" }, { authorization: `Bearer ${key}` })).body.reply, "still");
    assert.equal((await terminate(running.child)).code, 0, running.output());
    running = undefined;
  });

  it("leaves an http channel with auth: none open, and refuses auth: none beside a key", async () => {
    const file = join(dir, "open.yaml");
    writeFileSync(file, echoConfig().replace("{ type: http }", "{ type: http, auth: none }").replace("./data/", "./open-data/"));
    running = await startCli(["-c", file, "--port", "0"]);
    assert.doesNotMatch(running.output(), /API key/);
    assert.equal((await postJson(`${running.url}/v1/messages`, { user: "alice", text: "open" })).body.reply, "open");
    assert.equal((await terminate(running.child)).code, 0, running.output());
    running = undefined;

    const both = join(dir, "both.yaml");
    writeFileSync(both, echoConfig().replace("{ type: http }", '{ type: http, auth: none, key: "0123456789abcdef0123" }'));
    const check = await runCli(["check", "-c", both]);
    assert.notEqual(check.code, 0);
    assert.match(check.stderr, /channels\.api\.auth: auth: none opens the channel to anyone, yet a key is set/);
  });
});

describe("switchboard start without a config file", () => {
  let cwd: string;
  let running: RunningGateway | undefined;
  before(() => {
    cwd = tempDir("switchboard-cli-empty-");
  });
  after(async () => {
    if (running) await killHard(running.child);
    rmSync(cwd, { recursive: true, force: true });
  });

  it("runs the embedded default: web chat at /, the API, and a store under .switchboard/", async () => {
    running = await startCli(["--port", "0"], { cwd });
    assert.match(running.output(), /embedded default config/);

    const page = await fetch(`${running.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await page.text(), /<html/i);

    const reply = await postJson(`${running.url}/v1/messages`, { user: "bob", text: "default echo" });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.reply, "default echo");
    assert.ok(existsSync(join(cwd, ".switchboard", "switchboard.db")), "the default store lives under the working directory");

    const exit = await terminate(running.child);
    assert.equal(exit.code, 0, running.output());
    running = undefined;
  });
});

describe("switchboard send and sessions", () => {
  let dir: string;
  let file: string;
  let running: RunningGateway | undefined;
  before(async () => {
    dir = tempDir("switchboard-cli-send-");
    file = join(dir, "switchboard.yaml");
    writeFileSync(file, echoConfig(`server: { port: ${await freePort()} }\n`));
  });
  after(async () => {
    if (running) await killHard(running.child);
    rmSync(dir, { recursive: true, force: true });
  });

  const listSessions = async (): Promise<SessionJson[]> => {
    const result = await runCli(["sessions", "list", "-c", file, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as SessionJson[];
  };

  it("sends through a running gateway, or in-process when none runs; sessions list, show and reset see both", async () => {
    running = await startCli(["-c", file]);
    const viaGateway = await runCli(["send", "-c", file, "--user", "alice", "hello"]);
    assert.equal(viaGateway.code, 0, viaGateway.stderr);
    assert.equal(viaGateway.stdout.trim(), "hello");
    assert.equal((await terminate(running.child)).code, 0, running.output());
    running = undefined;

    const inProcess = await runCli(["send", "-c", file, "--user", "alice", "hello again"]);
    assert.equal(inProcess.code, 0, inProcess.stderr);
    assert.equal(inProcess.stdout.trim(), "hello again");

    const sessions = await listSessions();
    const alice = sessions.filter((s) => s.userId === "alice");
    assert.ok(alice.length >= 1, JSON.stringify(sessions));
    const transcripts = await Promise.all(
      alice.map(async (s) => {
        const shown = await runCli(["sessions", "show", s.id, "-c", file, "--json"]);
        assert.equal(shown.code, 0, shown.stderr);
        const body = JSON.parse(shown.stdout) as { session: SessionJson; transcript: Array<{ role: string; text: string }> };
        assert.equal(body.session.id, s.id);
        return body.transcript.map((e) => `${e.role}:${e.text}`);
      }),
    );
    const all = transcripts.flat();
    for (const line of ["user:hello", "assistant:hello", "user:hello again", "assistant:hello again"]) {
      assert.ok(all.includes(line), `missing "${line}" in ${JSON.stringify(transcripts)}`);
    }
    // The first message really went through the running gateway's HTTP API, not an in-process fallback.
    const viaApi = alice.find((_s, i) => transcripts[i]!.includes("user:hello"));
    assert.equal(viaApi?.channel, "api");

    const human = await runCli(["sessions", "show", alice[0]!.id, "-c", file]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /user alice/);
  });

  it("sessions reset ends a session, and the user's next message starts a new one", async () => {
    const first = await runCli(["send", "-c", file, "--user", "carol", "--json", "first"]);
    assert.equal(first.code, 0, first.stderr);
    const firstSession = (JSON.parse(first.stdout) as { session: string }).session;
    const second = await runCli(["send", "-c", file, "--user", "carol", "--json", "second"]);
    assert.equal((JSON.parse(second.stdout) as { session: string }).session, firstSession, "before the reset carol continues her session");

    const reset = await runCli(["sessions", "reset", firstSession, "-c", file]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /ended/);
    const ended = (await listSessions()).find((s) => s.id === firstSession);
    assert.equal(ended?.status, "ended");

    const third = await runCli(["send", "-c", file, "--user", "carol", "--json", "third"]);
    assert.equal(third.code, 0, third.stderr);
    const thirdSession = (JSON.parse(third.stdout) as { session: string }).session;
    assert.notEqual(thirdSession, firstSession);
    const shown = JSON.parse((await runCli(["sessions", "show", thirdSession, "-c", file, "--json"])).stdout) as {
      transcript: Array<{ role: string; text: string }>;
    };
    assert.deepEqual(
      shown.transcript.filter((e) => e.role === "user").map((e) => e.text),
      ["third"],
      "the new session starts fresh",
    );
  });

  it("sessions show of an unknown id fails with a reason", async () => {
    const result = await runCli(["sessions", "show", "no-such-session", "-c", file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no session "no-such-session"/);
  });
});

describe("switchboard usage", () => {
  it("an unknown command exits 2 with the usage", async () => {
    const result = await runCli(["frobnicate"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command "frobnicate"/);
    assert.match(result.stderr, /Usage: switchboard <command>/);
  });

  it("--help prints the usage and exits 0", async () => {
    const result = await runCli(["--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: switchboard <command>/);
    assert.match(result.stdout, /start \[-c file\]/);
  });

  it("no command at all exits 2 with the usage", async () => {
    const result = await runCli([]);
    assert.equal(result.code, 2);
    assert.match(result.stdout + result.stderr, /Usage: switchboard <command>/);
  });
});
