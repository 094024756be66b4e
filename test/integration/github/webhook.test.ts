/**
 * Webhook mode: the emulator delivers signed `issue_comment` and `pull_request_review_comment`
 * events to /channels/<id>. Bad signatures are refused, a redelivery is not answered twice, and
 * a mention whose delivery never arrived is picked up by the catch-up poll.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { signGitHubBody } from "../../../src/channels/github/signature.ts";
import { closedPort } from "../../helpers/net.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { answers, botComments, request, startGitHubSetup, type GitHubSetup } from "./setup.ts";

const secret = "It's a Secret to Everybody";

describe("GitHub webhook mode", () => {
  let s: GitHubSetup;
  let hookUrl: string;
  before(async () => {
    s = await startGitHubSetup({
      // The catch-up poll runs at start and then only when a test asks for it.
      channel: { mode: "webhook", webhookSecret: secret, pollIntervalMs: 3_600_000 },
      config: { agents: { helper: { kind: "echo", prefix: "echo: " } } },
    });
    s.emulator.addUser("alice");
    hookUrl = `${s.t.url}/channels/github`;
    s.emulator.setWebhook(hookUrl, secret);
  });
  after(() => s?.stop());

  it("answers a mention delivered by webhook, acknowledging the delivery once accepted", async () => {
    const issue = s.emulator.addIssue("acme/widgets", { title: "Hooked", user: "alice" });
    const mention = s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "@switchboard ping me" });
    const [answer] = await answers(s.emulator, "acme/widgets", issue);
    assert.equal(request(answer!.body), "ping me");
    await s.emulator.idle();
    const delivery = s.emulator.deliveries.find((d) => (d.payload.comment as { id: number }).id === mention.id)!;
    assert.equal(delivery.event, "issue_comment");
    assert.equal(delivery.status, 202, "202 Accepted: committed, the answer comes later");
    // The bot's own placeholder and its edit were delivered too, and ignored.
    assert.ok(s.emulator.deliveries.filter((d) => d.status === 200).length >= 1);
  });

  it("answers a redelivered event once", async () => {
    const issue = s.emulator.addIssue("acme/widgets", { title: "Redelivered", user: "alice" });
    s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "@switchboard only once" });
    await answers(s.emulator, "acme/widgets", issue);
    await s.emulator.idle();
    const delivery = s.emulator.deliveries.find((d) => (d.payload.comment as { body: string }).body === "@switchboard only once")!;
    assert.equal(delivery.status, 202);
    assert.equal(await s.emulator.redeliver(delivery.id), 200);
    await sleep(300);
    assert.equal(botComments(s.emulator, { repo: "acme/widgets", number: issue }).length, 1);
  });

  it("answers review comments delivered by webhook in their thread", async () => {
    const pr = s.emulator.addIssue("acme/widgets", { title: "Hooked PR", user: "alice", pull: true });
    const mention = s.emulator.addReviewComment("acme/widgets", pr, { user: "alice", body: "@switchboard nit?", path: "a.ts", line: 1 });
    const answer = await waitFor(() => botComments(s.emulator, { repo: "acme/widgets", number: pr }).find((c) => !c.body.startsWith("Processing…")), { what: "the review answer" });
    assert.equal(answer.inReplyTo, mention.id);
    assert.equal(s.emulator.deliveries.at(-1)!.event, "pull_request_review_comment");
  });

  it("refuses a tampered body, a wrong secret and a missing signature with 401", async () => {
    const body = JSON.stringify({ action: "created", zen: "Keep it logically awesome." });
    const post = (headers: Record<string, string>, payload = body) =>
      fetch(hookUrl, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": crypto.randomUUID(), ...headers }, body: payload });
    assert.equal((await post({ "x-hub-signature-256": signGitHubBody(secret, body) })).status, 200);
    assert.equal((await post({ "x-hub-signature-256": signGitHubBody(secret, body) }, body.replace("awesome", "AWESOME"))).status, 401);
    assert.equal((await post({ "x-hub-signature-256": signGitHubBody("not the secret", body) })).status, 401);
    assert.equal((await post({})).status, 401);
    const refused = await post({ "x-hub-signature": "sha1=0000" });
    assert.equal(refused.status, 401);
    assert.match(((await refused.json()) as { error: string }).error, /X-Hub-Signature-256/);
  });

  it("picks up, with the catch-up poll, a mention whose delivery never arrived", async () => {
    s.emulator.setWebhook(`http://127.0.0.1:${await closedPort()}/nowhere`, secret);
    const issue = s.emulator.addIssue("acme/widgets", { title: "Lost delivery", user: "alice" });
    s.emulator.addComment("acme/widgets", issue, { user: "alice", body: "@switchboard are you there?" });
    await s.emulator.idle();
    assert.equal(s.emulator.deliveries.at(-1)!.status, 0, "the delivery failed");
    s.emulator.setWebhook(hookUrl, secret);
    s.channel.pollNow();
    const [answer] = await answers(s.emulator, "acme/widgets", issue);
    assert.equal(request(answer!.body), "are you there?");
  });
});
