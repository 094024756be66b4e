/**
 * Who may talk to the agents: each access policy against each kind of sender, through the HTTP
 * API and through Telegram (the emulator, driven as a user would). A sender who is not let in
 * never reaches an agent; an unknown sender in a DM gets a pairing code an admin can approve.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Agent, AgentEvent, TurnInput } from "../../src/core/agent.ts";
import { adminHeaders, getJson, postJson, startGateway, waitFor, type TestGateway } from "../helpers/gateway.ts";
import { startTelegramEmulator, type TelegramEmulator } from "../emulators/telegram/index.ts";
import { accessReplies } from "../../src/core/access/authorize.ts";

/** Remembers every text that reached it. */
function recordingAgent(seen: string[]): Agent {
  return {
    id: "recorder",
    kind: "test",
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      seen.push(input.text);
      yield { type: "message", text: `ok: ${input.text}` };
    },
  };
}

const policies = ["allowlist", "pairing", "open", "disabled"] as const;
const senders = ["unknown", "pending", "approved", "allowlisted"] as const;
type Sender = (typeof senders)[number];

/** Who gets in: policy × sender state. */
const expected: Record<(typeof policies)[number], Record<Sender, boolean>> = {
  allowlist: { unknown: false, pending: false, approved: false, allowlisted: true },
  pairing: { unknown: false, pending: false, approved: true, allowlisted: true },
  open: { unknown: true, pending: true, approved: true, allowlisted: true },
  disabled: { unknown: false, pending: false, approved: false, allowlisted: false },
};

describe("access policies through the HTTP API", () => {
  const seen: string[] = [];
  let t: TestGateway;

  before(async () => {
    const channels = Object.fromEntries(policies.map((policy) => [policy, { type: "http" as const, access: { policy, allow: ["listed-user"] } }]));
    t = await startGateway({ defaultAgent: "recorder", agents: {}, channels: { api: { type: "http" }, ...channels } }, (gw) => gw.addAgent(recordingAgent(seen)));
    // Every channel has a sender with a pending code and one an admin approved, whatever its
    // policy: a policy that does not pair must ignore both.
    const store = t.gw.gateway.store;
    for (const policy of policies) {
      const suffix = policy.slice(0, 4).toUpperCase().padEnd(4, "X");
      await store.requestPairing({ channel: policy, senderId: "pending-user", code: `PEND${suffix}`, now: Date.now(), ttlMs: 3_600_000, maxPending: 20 });
      await store.requestPairing({ channel: policy, senderId: "approved-user", code: `APPR${suffix}`, now: Date.now(), ttlMs: 3_600_000, maxPending: 20 });
      const approved = await postJson(`${t.url}/v1/pairing/${policy}/APPR${suffix}/approve`, {}, adminHeaders);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
    }
  });
  after(() => t.stop());

  const userOf: Record<Sender, string> = { unknown: "stranger", pending: "pending-user", approved: "approved-user", allowlisted: "listed-user" };

  for (const policy of policies) {
    for (const sender of senders) {
      const admitted = expected[policy][sender];
      it(`${policy} × ${sender}: ${admitted ? "reaches the agent" : "is refused, and the agent never sees it"}`, async () => {
        const text = `${policy}/${sender} says hi`;
        const res = await postJson(`${t.url}/channels/${policy}`, { user: userOf[sender], text });
        if (admitted) {
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal(res.body.reply, `ok: ${text}`);
          assert.ok(seen.includes(text));
        } else {
          assert.equal(res.status, 403, JSON.stringify(res.body));
          assert.ok(!seen.includes(text), "a refused message never reaches an agent");
        }
      });
    }
  }

  it("pairing: an unknown sender gets a code, the same code again, and is let in once an admin approves it", async () => {
    const first = await postJson(`${t.url}/channels/pairing`, { user: "newcomer", text: "let me in" });
    assert.equal(first.status, 403);
    const code = /code ([A-Z2-9]{8})/.exec(first.body.error)?.[1];
    assert.ok(code, first.body.error);
    const again = await postJson(`${t.url}/channels/pairing`, { user: "newcomer", text: "please" });
    assert.match(again.body.error, new RegExp(code!), "the pending code, not a new one");
    const listed = await getJson(`${t.url}/v1/pairing?channel=pairing`, adminHeaders);
    assert.ok(listed.body.requests.some((r: { code: string; senderId: string }) => r.code === code && r.senderId === "newcomer"));

    assert.equal((await postJson(`${t.url}/v1/pairing/pairing/WRONGXYZ/approve`, {}, adminHeaders)).status, 404);
    const approved = await postJson(`${t.url}/v1/pairing/pairing/${code!.toLowerCase()}/approve`, {}, adminHeaders);
    assert.equal(approved.status, 200);
    assert.equal(approved.body.approved.senderId, "newcomer");
    const now = await postJson(`${t.url}/channels/pairing`, { user: "newcomer", text: "thanks" });
    assert.equal(now.status, 200);
    assert.equal(now.body.reply, "ok: thanks");
    assert.deepEqual(seen.filter((s) => ["let me in", "please", "thanks"].includes(s)), ["thanks"]);
  });

  it("the audit log records who was let in, turned away, given a code and approved, and no message text", async () => {
    await t.gw.gateway.audit.flush();
    const entries = await t.gw.gateway.store.listAudit({ channel: "pairing", limit: 1000 });
    const lines = entries.map((e) => `${e.kind} ${e.actor ?? ""}${e.subject ? ` ${e.subject}` : ""}`);
    for (const line of ["pairing.requested newcomer", "rejected newcomer", "pairing.approved admin:api newcomer", "accepted newcomer", "accepted listed-user", "rejected stranger"]) {
      assert.ok(lines.includes(line), `missing "${line}" in ${JSON.stringify(lines)}`);
    }
    assert.ok(entries.filter((e) => e.kind === "accepted").every((e) => e.sessionId), "an accepted entry names its session");
    assert.doesNotMatch(JSON.stringify(entries), /says hi|let me in|thanks/, "no message text in the audit log");
  });

  it("a channel without an access policy (a trusted API caller) is not checked", async () => {
    const res = await postJson(`${t.url}/v1/messages`, { user: "anyone", text: "no policy here" });
    assert.equal(res.status, 200);
  });
});

describe("access policies through Telegram", () => {
  const seen: string[] = [];
  let emulator: TelegramEmulator;
  let t: TestGateway;

  before(async () => {
    emulator = await startTelegramEmulator();
    t = await startGateway(
      {
        defaultAgent: "recorder",
        agents: {},
        channels: {
          api: { type: "http" },
          // No `access` block: a platform channel pairs by default.
          telegram: { type: "telegram", botToken: emulator.token, apiRoot: emulator.url, pollTimeout: 1, pollerLeaseTtl: 900, streaming: "off" },
        },
      },
      (gw) => gw.addAgent(recordingAgent(seen)),
    );
  });
  after(async () => {
    await t.stop();
    await emulator.close();
  });

  it("by default, an unknown user gets a pairing code in a DM and nothing reaches the agent until an admin approves it", async () => {
    emulator.say({ user: emulator.bob, text: "hello bot" });
    const [codeMessage] = await waitFor(() => (emulator.sent(emulator.bob.id).length > 0 ? emulator.sent(emulator.bob.id) : undefined), { what: "the pairing code" });
    const code = /([A-Z2-9]{8})$/.exec(codeMessage!.text)?.[1];
    assert.ok(code, codeMessage!.text);
    assert.equal(codeMessage!.text, accessReplies.pairing(code!, 60));

    emulator.say({ user: emulator.bob, text: "are you there?" });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(emulator.sent(emulator.bob.id).length, 1, "one code, not one reply per message");
    assert.deepEqual(seen, [], "nothing reached the agent");

    const approved = await postJson(`${t.url}/v1/pairing/telegram/${code}/approve`, {}, adminHeaders);
    assert.equal(approved.status, 200);
    emulator.say({ user: emulator.bob, text: "now?" });
    await waitFor(() => emulator.sent(emulator.bob.id).some((m) => m.text.includes("now?")), { what: "the agent's answer" });
    assert.deepEqual(seen, ["now?"]);
  });

  it("a bot's message never reaches the agent and gets no code", async () => {
    const robot = { id: 777001, is_bot: true, first_name: "Robo" };
    emulator.say({ user: robot, text: "beep" });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(emulator.sent(robot.id), []);
    assert.ok(!seen.includes("beep"));
  });
});

describe("the policy × sender matrix through Telegram", () => {
  let emulator: TelegramEmulator;
  before(async () => {
    emulator = await startTelegramEmulator();
  });
  after(() => emulator.close());

  const people = {
    unknown: { id: 2001, is_bot: false, first_name: "Una" },
    pending: { id: 2002, is_bot: false, first_name: "Pat" },
    approved: { id: 2003, is_bot: false, first_name: "Abe" },
    allowlisted: { id: 2004, is_bot: false, first_name: "Lia" },
    bot: { id: 2005, is_bot: true, first_name: "Robo" },
  };
  const admits: Record<(typeof policies)[number], Array<keyof typeof people>> = {
    allowlist: ["allowlisted"],
    pairing: ["approved", "allowlisted"],
    open: ["unknown", "pending", "approved", "allowlisted"],
    disabled: [],
  };

  for (const policy of policies) {
    it(`${policy}: lets in exactly ${admits[policy].join(", ") || "no one"}; a bot never`, async () => {
      const seen: string[] = [];
      const t = await startGateway(
        {
          defaultAgent: "recorder",
          agents: {},
          channels: {
            api: { type: "http" },
            telegram: { type: "telegram", botToken: emulator.token, apiRoot: emulator.url, pollTimeout: 1, pollerLeaseTtl: 900, streaming: "off", access: { policy, allow: [String(people.allowlisted.id)] } },
          },
        },
        (gw) => gw.addAgent(recordingAgent(seen)),
      );
      try {
        const store = t.gw.gateway.store;
        const ask = (id: number, code: string) => store.requestPairing({ channel: "telegram", senderId: String(id), code, now: Date.now(), ttlMs: 3_600_000, maxPending: 20 });
        await ask(people.pending.id, "PENDPEND");
        await ask(people.approved.id, "APPRAPPR");
        await store.approvePairing("telegram", "APPRAPPR", Date.now());

        for (const [state, user] of Object.entries(people)) emulator.say({ user, text: `${policy} ${state}` });
        const wanted = admits[policy].map((state) => `${policy} ${state}`);
        await waitFor(() => wanted.every((text) => seen.includes(text)), { what: `${wanted.join(", ")} to reach the agent` });
        await new Promise((resolve) => setTimeout(resolve, 1200));
        assert.deepEqual([...seen].sort(), [...wanted].sort(), "the others never reached the agent");
        assert.ok(!seen.includes(`${policy} bot`));
        assert.deepEqual(emulator.sent(people.bot.id), [], "a bot gets no reply at all");
      } finally {
        await t.stop();
      }
    });
  }
});

