/**
 * The GitHub emulator behaves like GitHub as the official client sees it: @octokit/rest with
 * @octokit/auth-app talks to it unchanged (only `baseUrl` differs), pages through its Link
 * headers, meets GitHub's errors and rate limits, and a plain node:http receiver gets App
 * webhooks signed the way GitHub signs them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Octokit } from "@octokit/rest";
import { createAppAuth } from "@octokit/auth-app";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { startGitHubEmulator, type GitHubEmulator } from "../emulators/github/index.ts";
import { privateKeyFile, runGitHubEmulator, usage } from "../emulators/github/server.ts";

const REPO = { owner: "acme", repo: "widgets" };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const asUser = (e: GitHubEmulator, token: string) => new Octokit({ baseUrl: e.url, auth: token, log: quiet });
const asApp = (e: GitHubEmulator) =>
  new Octokit({ baseUrl: e.url, authStrategy: createAppAuth, auth: { appId: e.appId, privateKey: e.privateKey, installationId: e.installationId }, log: quiet });

/** Octokit's RequestError, recognised by shape: the HTTP status, and optionally its message. */
function httpError(status: number, message?: RegExp) {
  return (error: unknown) => {
    const e = error as { status?: number; message?: string };
    assert.equal(e.status, status, `expected HTTP ${status}, got ${String(e.status)}: ${String(e.message)}`);
    if (message) assert.match(e.message ?? "", message);
    return true;
  };
}

const headersOf = (error: unknown) => (error as { response: { headers: Record<string, string | undefined> } }).response.headers;

describe("the GitHub emulator through Octokit", () => {
  let e: GitHubEmulator;
  let alice: Octokit;
  let bot: Octokit;
  let issue: number;
  let pull: number;
  before(async () => {
    e = await startGitHubEmulator();
    e.addRepo("acme/widgets");
    e.addRepo("acme/secret", { installed: false });
    alice = asUser(e, e.addUser("alice"));
    bot = asApp(e);
    issue = e.addIssue("acme/widgets", { title: "Widgets fall over", user: "alice" });
    pull = e.addIssue("acme/widgets", { title: "Wider base", user: "alice", pull: true });
  });
  after(() => e?.close());

  it("an App JWT reads the App and mints an installation token that lists the installation's repositories", async () => {
    const { data: app } = await bot.apps.getAuthenticated();
    assert.equal(app?.id, e.appId);
    assert.equal(app?.slug, e.appSlug);
    const repos = await bot.paginate(bot.apps.listReposAccessibleToInstallation, { per_page: 100 });
    assert.deepEqual(repos.map((r) => r.full_name), ["acme/widgets"]);
    assert.ok(e.requests.some((r) => r.method === "POST" && r.path === `/app/installations/${e.installationId}/access_tokens` && r.status === 201 && r.identity === "app"));
    assert.equal(e.requests.at(-1)?.identity, e.botLogin);
    await assert.rejects(bot.repos.get({ owner: "acme", repo: "secret" }), httpError(404, /Not Found/));
    await assert.rejects(bot.users.getAuthenticated(), httpError(403, /Resource not accessible by integration/));
  });

  it("tokens act as their user, and bad or missing credentials get GitHub's 401s", async () => {
    assert.equal((await alice.users.getAuthenticated()).data.login, "alice");
    assert.equal(e.addUser("alice"), e.addUser("alice"));
    await assert.rejects(asUser(e, "ghp_notarealtoken0000000000000000000000").users.getAuthenticated(), httpError(401, /Bad credentials/));
    await assert.rejects(new Octokit({ baseUrl: e.url, log: quiet }).repos.get(REPO), httpError(401, /Requires authentication/));
    const stranger = await startGitHubEmulator();
    try {
      const forged = new Octokit({ baseUrl: e.url, authStrategy: createAppAuth, auth: { appId: e.appId, privateKey: stranger.privateKey }, log: quiet });
      await assert.rejects(forged.apps.getAuthenticated(), httpError(401, /A JSON web token could not be decoded/));
    } finally {
      await stranger.close();
    }
    const response = await fetch(`${e.url}/no/such/route`, { headers: { authorization: `token ${e.addUser("alice")}` } });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
  });

  it("the bot's comment is performed via the App and reads back with GitHub's headers", async () => {
    const posted = await bot.issues.createComment({ ...REPO, issue_number: issue, body: "On it." });
    assert.equal(posted.status, 201);
    assert.equal(posted.data.user?.login, e.botLogin);
    assert.equal(posted.data.user?.type, "Bot");
    assert.equal(posted.data.performed_via_github_app?.slug, e.appSlug);
    assert.match(posted.data.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(posted.headers["x-ratelimit-resource"], "core");
    assert.match(posted.headers["x-github-request-id"] ?? "", /^[0-9A-F]+(:[0-9A-F]+){4}$/);
    const edited = await bot.issues.updateComment({ ...REPO, comment_id: posted.data.id, body: "Done." });
    assert.equal(edited.data.body, "Done.");
    const record = e.comments({ user: e.botLogin }).find((c) => c.id === posted.data.id);
    assert.deepEqual([record?.body, record?.edits, record?.viaApp, record?.kind], ["Done.", ["On it."], true, "issue"]);
    const pr = await alice.issues.get({ ...REPO, issue_number: pull });
    assert.equal(pr.data.pull_request?.url, `${e.url}/repos/acme/widgets/pulls/${pull}`);
    await assert.rejects(alice.pulls.get({ ...REPO, pull_number: issue }), httpError(404));
  });

  it("octokit.paginate walks 250 comments through GitHub-formatted Link headers", async () => {
    const number = e.addIssue("acme/widgets", { title: "Busy thread", user: "alice" });
    for (let i = 0; i < 250; i++) e.addComment("acme/widgets", number, { user: "alice", body: `comment ${i}` });
    const first = await alice.issues.listComments({ ...REPO, issue_number: number, per_page: 100 });
    const base = `${e.url}/repositories/${(await alice.repos.get(REPO)).data.id}/issues/${number}/comments`;
    assert.equal(first.headers.link, `<${base}?per_page=100&page=2>; rel="next", <${base}?per_page=100&page=3>; rel="last"`);
    const second = await alice.issues.listComments({ ...REPO, issue_number: number, per_page: 100, page: 2 });
    assert.equal(second.headers.link, `<${base}?per_page=100&page=1>; rel="prev", <${base}?per_page=100&page=3>; rel="next", <${base}?per_page=100&page=3>; rel="last", <${base}?per_page=100&page=1>; rel="first"`);
    const all = await alice.paginate(alice.issues.listComments, { ...REPO, issue_number: number, per_page: 100 });
    assert.deepEqual(all.map((c) => c.body), Array.from({ length: 250 }, (_, i) => `comment ${i}`));
    const defaultPage = await alice.issues.listComments({ ...REPO, issue_number: number });
    assert.equal(defaultPage.data.length, 30);
  });

  it("`since` keeps comments updated at or after it, on the repository-wide list", async () => {
    const number = e.addIssue("acme/widgets", { title: "Since", user: "alice" });
    e.addComment("acme/widgets", number, { user: "alice", body: "old" });
    await sleep(1005 - (Date.now() % 1000)); // timestamps have second precision
    const fresh = e.addComment("acme/widgets", number, { user: "alice", body: "new" });
    const since = await alice.paginate(alice.issues.listCommentsForRepo, { ...REPO, since: fresh.createdAt, per_page: 100 });
    assert.deepEqual(since.map((c) => c.body), ["new"]);
    const newestFirst = await alice.issues.listCommentsForRepo({ ...REPO, sort: "created", direction: "desc", per_page: 1 });
    assert.equal(newestFirst.data[0]?.id, fresh.id);
  });

  it("a body over 65536 characters is refused with 422 Validation Failed; exactly 65536 is fine", async () => {
    const error = await alice.issues.createComment({ ...REPO, issue_number: issue, body: "x".repeat(65_537) }).catch((err: unknown) => err);
    httpError(422, /Validation Failed/)(error);
    const data = (error as { response: { data: any } }).response.data;
    assert.deepEqual(data.errors, [{ resource: "IssueComment", code: "unprocessable", field: "data", message: "Body is too long (maximum is 65536 characters)" }]);
    assert.equal(data.status, "422");
    assert.equal((await alice.issues.createComment({ ...REPO, issue_number: issue, body: "y".repeat(65_536) })).status, 201);
  });

  it("a reaction is 201 when new and 200 when that user already reacted so", async () => {
    const comment = e.addComment("acme/widgets", issue, { user: "alice", body: "@switchboard help" });
    const first = await bot.reactions.createForIssueComment({ ...REPO, comment_id: comment.id, content: "eyes" });
    const again = await bot.reactions.createForIssueComment({ ...REPO, comment_id: comment.id, content: "eyes" });
    assert.deepEqual([first.status, again.status, again.data.id], [201, 200, first.data.id]);
    assert.deepEqual(e.reactions(comment.id), [{ content: "eyes", user: e.botLogin }]);
    const read = await alice.issues.getComment({ ...REPO, comment_id: comment.id });
    assert.equal(read.data.reactions?.eyes, 1);
  });

  it("the bot replies in a review thread; a reply to a reply joins the same thread", async () => {
    const top = e.addReviewComment("acme/widgets", pull, { user: "alice", body: "@switchboard why?", path: "src/base.ts", line: 12 });
    const reply = await bot.pulls.createReplyForReviewComment({ ...REPO, pull_number: pull, comment_id: top.id, body: "Because." });
    assert.equal(reply.status, 201);
    assert.deepEqual([reply.data.in_reply_to_id, reply.data.path, reply.data.line, reply.data.user?.login], [top.id, "src/base.ts", 12, e.botLogin]);
    const nested = await alice.pulls.createReplyForReviewComment({ ...REPO, pull_number: pull, comment_id: reply.data.id, body: "Thanks" });
    assert.equal(nested.data.in_reply_to_id, top.id);
    const thread = await alice.paginate(alice.pulls.listReviewComments, { ...REPO, pull_number: pull });
    assert.deepEqual(thread.map((c) => c.body), ["@switchboard why?", "Because.", "Thanks"]);
    assert.deepEqual(e.comments({ number: pull }).filter((c) => c.kind === "review").map((c) => [c.inReplyTo, c.viaApp]), [[undefined, false], [top.id, true], [top.id, false]]);
  });

  it("at zero primary budget the bot gets GitHub's 403 until the reset, then the budget refills", async () => {
    e.setRateLimit({ remaining: 0, resetInMs: 300 });
    const error = await bot.issues.get({ ...REPO, issue_number: issue }).catch((err: unknown) => err);
    httpError(403, new RegExp(`API rate limit exceeded for installation ID ${e.installationId}\\.`))(error);
    assert.equal(headersOf(error)["x-ratelimit-remaining"], "0");
    assert.ok(Number(headersOf(error)["x-ratelimit-reset"]) >= Math.floor(Date.now() / 1000));
    assert.equal((await alice.issues.get({ ...REPO, issue_number: issue })).status, 200, "other identities keep their own budget");
    assert.equal((await bot.rateLimit.get()).data.resources.core.remaining, 0, "GET /rate_limit is free");
    await sleep(350);
    const ok = await bot.issues.get({ ...REPO, issue_number: issue });
    assert.deepEqual([ok.headers["x-ratelimit-limit"], ok.headers["x-ratelimit-remaining"]], ["5000", "4999"]);
  });

  it("injected secondary limits answer 429/403 with retry-after and GitHub's message; other requests pass", async () => {
    e.failNext(1, { status: 429, retryAfter: 7, method: "POST", path: /\/issues\/\d+\/comments$/ });
    e.failNext(1, { status: 403, retryAfter: 2, method: "POST" });
    assert.equal((await bot.issues.get({ ...REPO, issue_number: issue })).status, 200);
    const limited = await bot.issues.createComment({ ...REPO, issue_number: issue, body: "a" }).catch((err: unknown) => err);
    httpError(429, /You have exceeded a secondary rate limit/)(limited);
    assert.equal(headersOf(limited)["retry-after"], "7");
    const forbidden = await bot.issues.createComment({ ...REPO, issue_number: issue, body: "b" }).catch((err: unknown) => err);
    httpError(403, /secondary rate limit/)(forbidden);
    assert.equal(headersOf(forbidden)["retry-after"], "2");
    assert.equal((await bot.issues.createComment({ ...REPO, issue_number: issue, body: "c" })).status, 201);
    e.failNext(1, { status: 502 });
    await assert.rejects(alice.repos.get(REPO), httpError(502));
  });
});

describe("webhooks and token expiry", () => {
  let e: GitHubEmulator;
  let receiver: Server;
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  before(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(received.length === 1 ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    e = await startGitHubEmulator({ tokenTtlMs: 600 });
    e.addRepo("acme/widgets");
    e.setWebhook(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, "It's a Secret to Everybody");
  });
  after(async () => {
    await e?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("a comment arrives as a signed issue_comment; redelivery sends the same GUID and bytes", async () => {
    const number = e.addIssue("acme/widgets", { title: "Hook", user: "alice" });
    const comment = await asUser(e, e.addUser("alice")).issues.createComment({ ...REPO, issue_number: number, body: "@switchboard ping" });
    await e.idle();
    const [first] = received;
    assert.ok(first);
    const expected = `sha256=${createHmac("sha256", "It's a Secret to Everybody").update(first.body).digest("hex")}`;
    assert.equal(first.headers["x-hub-signature-256"], expected);
    assert.equal(first.headers["x-github-event"], "issue_comment");
    assert.equal(first.headers["x-github-hook-installation-target-type"], "integration");
    assert.equal(first.headers["x-github-hook-installation-target-id"], String(e.appId));
    assert.match(String(first.headers["user-agent"]), /^GitHub-Hookshot\//);
    const payload = JSON.parse(first.body);
    assert.deepEqual([payload.action, payload.comment.id, payload.issue.number, payload.sender.login, payload.installation.id], ["created", comment.data.id, number, "alice", e.installationId]);
    assert.deepEqual(e.deliveries.map((d) => [d.event, d.action, d.status]), [["issue_comment", "created", 500]]);

    const guid = e.deliveries[0]!.id;
    assert.equal(first.headers["x-github-delivery"], guid);
    assert.equal(await e.redeliver(guid), 200);
    assert.equal(received[1]?.headers["x-github-delivery"], guid);
    assert.equal(received[1]?.body, first.body);
    assert.deepEqual(e.deliveries.map((d) => [d.id, d.redelivery, d.status]), [[guid, false, 500], [guid, true, 200]]);
  });

  it("edits and review comments arrive too; repositories outside the installation send nothing", async () => {
    const alice = asUser(e, e.addUser("alice"));
    const number = e.addIssue("acme/widgets", { title: "Edits", user: "alice" });
    const posted = await alice.issues.createComment({ ...REPO, issue_number: number, body: "first" });
    await alice.issues.updateComment({ ...REPO, comment_id: posted.data.id, body: "second" });
    const pull = e.addIssue("acme/widgets", { title: "Review", user: "alice", pull: true });
    e.addReviewComment("acme/widgets", pull, { user: "alice", body: "@switchboard look", path: "a.ts", line: 3 });
    e.addRepo("acme/elsewhere", { installed: false });
    e.addComment("acme/elsewhere", e.addIssue("acme/elsewhere", { title: "Quiet", user: "alice" }), { user: "alice", body: "@switchboard hi" });
    await e.idle();
    const [created, edited, review] = e.deliveries.slice(-3);
    assert.deepEqual([created?.event, created?.action, edited?.action, review?.event, review?.action], ["issue_comment", "created", "edited", "pull_request_review_comment", "created"]);
    assert.deepEqual(edited?.payload.changes, { body: { from: "first" } });
    assert.equal((review?.payload.pull_request as { number: number }).number, pull);
    assert.ok(e.deliveries.every((d) => (d.payload.repository as { full_name: string }).full_name === "acme/widgets"));
  });

  it("an expired installation token gets 401 Bad credentials", async () => {
    const { token } = (await asApp(e).auth({ type: "installation" })) as { token: string };
    const octokit = asUser(e, token);
    assert.equal((await octokit.repos.get(REPO)).status, 200);
    await sleep(650);
    await assert.rejects(octokit.repos.get(REPO), httpError(401, /Bad credentials/));
  });
});

describe("the emulator's CLI", () => {
  it("seeds acme/widgets and alice, writes the App key to a file, and prints how to mention the App", async () => {
    const e = await runGitHubEmulator(["--port", "0"]);
    try {
      const keyFile = privateKeyFile(e);
      assert.ok(existsSync(keyFile));
      assert.equal(readFileSync(keyFile, "utf8"), e.privateKey);
      const text = usage(e);
      assert.ok(text.includes(e.url) && text.includes(keyFile) && text.includes(e.addUser("alice")) && text.includes(e.addUser("switchboard-bot")));
      assert.match(text, /curl -s .*\/repos\/acme\/widgets\/issues\/1\/comments/);
      const issue = await asUser(e, e.addUser("alice")).issues.get({ ...REPO, issue_number: 1 });
      assert.equal(issue.data.user?.login, "alice");
      rmSync(keyFile);
    } finally {
      await e.close();
    }
  });
});
