import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { WebClient } from "@slack/web-api";
import { SlackDirectory } from "../../src/channels/slack/identity.ts";
import { silentLogger } from "../../src/core/log.ts";

/** A WebClient stand-in whose users.info answers from a script. */
function fakeClient(answer: (user: string) => Promise<unknown>): { client: WebClient; calls: string[] } {
  const calls: string[] = [];
  const client = { users: { info: ({ user }: { user: string }) => (calls.push(user), answer(user)) } } as unknown as WebClient;
  return { client, calls };
}

const profile = (user: string) => Promise.resolve({ ok: true, user: { id: user, name: user.toLowerCase(), real_name: `Real ${user}`, profile: { display_name: `Display ${user}`, email: `${user.toLowerCase()}@example.com` } } });

describe("Slack sender profiles (users.info)", () => {
  it("gives the display name and email, and asks Slack once per user while cached", async () => {
    const { client, calls } = fakeClient(profile);
    const directory = new SlackDirectory(client, silentLogger);
    const [a, b] = await Promise.all([directory.lookup("UANN"), directory.lookup("UANN")]);
    assert.deepEqual(a, { name: "Display UANN", email: "uann@example.com" });
    assert.deepEqual(b, a);
    await directory.lookup("UANN");
    assert.deepEqual(calls, ["UANN"]);
  });

  it("falls back to the real name, then the user name, when there is no display name", async () => {
    const { client } = fakeClient(async () => ({ ok: true, user: { name: "ann", real_name: "Ann Lee", profile: { display_name: "", real_name: "Ann Lee" } } }));
    assert.deepEqual(await new SlackDirectory(client, silentLogger).lookup("U1"), { name: "Ann Lee" });
    const { client: bare } = fakeClient(async () => ({ ok: true, user: { name: "ann", profile: {} } }));
    assert.deepEqual(await new SlackDirectory(bare, silentLogger).lookup("U1"), { name: "ann" });
  });

  it("asks again after the TTL", async () => {
    let now = 0;
    const { client, calls } = fakeClient(profile);
    const directory = new SlackDirectory(client, silentLogger, { ttlMs: 1_000, now: () => now });
    await directory.lookup("U1");
    now = 999;
    await directory.lookup("U1");
    now = 1_001;
    await directory.lookup("U1");
    assert.deepEqual(calls, ["U1", "U1"]);
  });

  it("keeps at most maxEntries profiles, dropping the least recently used", async () => {
    const { client, calls } = fakeClient(profile);
    const directory = new SlackDirectory(client, silentLogger, { maxEntries: 2 });
    await directory.lookup("U1");
    await directory.lookup("U2");
    await directory.lookup("U1"); // U1 is now the most recent
    await directory.lookup("U3"); // evicts U2
    assert.equal(directory.size, 2);
    await directory.lookup("U1");
    await directory.lookup("U2");
    assert.deepEqual(calls, ["U1", "U2", "U3", "U2"]);
  });

  it("a failure or a slow answer yields no profile instead of an error or a wait", async () => {
    const { client: failing } = fakeClient(() => Promise.reject(Object.assign(new Error("An API error occurred: user_not_found"), { data: { error: "user_not_found" } })));
    assert.deepEqual(await new SlackDirectory(failing, silentLogger).lookup("U1"), {});
    const { client: hanging } = fakeClient(() => new Promise(() => {}));
    const started = Date.now();
    assert.deepEqual(await new SlackDirectory(hanging, silentLogger, { timeoutMs: 100 }).lookup("U1"), {});
    assert.ok(Date.now() - started < 1_000);
  });

  it("marks bot users", async () => {
    const { client } = fakeClient(async () => ({ ok: true, user: { name: "helper", is_bot: true, profile: { display_name: "Helper" } } }));
    assert.deepEqual(await new SlackDirectory(client, silentLogger).lookup("UB"), { name: "Helper", isBot: true });
  });
});
