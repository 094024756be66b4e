/**
 * The web chat channel end to end: the page in real headless Chromium streams a reply token by
 * token, keeps each browser's session across reloads and apart from other browsers; and its
 * HTTP endpoints answer bad input with a clear 4xx.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { parseSse, postJson, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { stored, watchProblems } from "../helpers/browser.ts";

const CHROMIUM = "/usr/bin/chromium";
const SENTENCE = "the quick brown fox jumps over the lazy dog";

let t: TestGateway;
before(async () => {
  t = await startGateway({
    server: { bodyLimit: "32kb" },
    agents: { helper: { kind: "echo", delay: "30ms" } },
    channels: { web: { type: "webchat", title: "Test chat" } },
  });
});
after(() => t?.stop());

/** A page with its console errors, page errors and CSP violations collected. */
async function openChat(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${t.url}/`);
  await page.waitForSelector('[data-testid="messages"][data-history="loaded"]', { timeout: 10_000 });
  return { page, problems };
}

async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByTestId("input").fill(text);
  await page.getByTestId("send").click();
  await page.waitForSelector('[data-testid="assistant"][data-state="complete"]', { timeout: 10_000 });
}

async function bubbles(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="messages"] > [data-testid]', (items) => items.map((item) => `${item.getAttribute("data-testid")}:${item.textContent}`));
}

describe("web chat in a browser", () => {
  let browser: Browser;
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) to run the web chat browser tests`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  after(() => browser?.close());

  it("typing a message and pressing Send streams the reply into the assistant bubble", async () => {
    const context = await browser.newContext();
    try {
      const { page, problems } = await openChat(context);
      assert.equal(await page.title(), "Test chat");
      // Record every text the assistant bubble shows, as the browser renders it.
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { seen: string[] }).seen = seen;
        new MutationObserver(() => {
          const bubble = document.querySelector('[data-testid="assistant"]');
          if (bubble) seen.push(bubble.textContent ?? "");
        }).observe(document.querySelector('[data-testid="messages"]')!, { childList: true, subtree: true, characterData: true });
      });
      await sendMessage(page, SENTENCE);
      const final = await page.getByTestId("assistant").textContent();
      assert.equal(final, SENTENCE);
      const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
      const partial = seen.filter((text) => text.length > 0 && text.length < SENTENCE.length);
      assert.ok(partial.length >= 2, `expected the reply to appear in pieces, saw ${JSON.stringify(seen)}`);
      for (const text of partial) assert.ok(SENTENCE.startsWith(text), `"${text}" is not a prefix of the reply`);
      assert.deepEqual(await bubbles(page), [`user:${SENTENCE}`, `assistant:${SENTENCE}`]);
      assert.equal(await page.getByTestId("input").inputValue(), "");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it("Enter sends, Shift+Enter adds a line, and user text is shown as text, not HTML", async () => {
    const context = await browser.newContext();
    try {
      const { page, problems } = await openChat(context);
      const input = page.getByTestId("input");
      await input.click();
      await page.keyboard.type("<b>bold</b>");
      await page.keyboard.press("Shift+Enter");
      await page.keyboard.type("<img src=x onerror=alert(1)>");
      await page.keyboard.press("Enter");
      await page.waitForSelector('[data-testid="assistant"][data-state="complete"]', { timeout: 10_000 });
      const text = "<b>bold</b>\n<img src=x onerror=alert(1)>";
      assert.deepEqual(await bubbles(page), [`user:${text}`, `assistant:${text}`]);
      assert.equal(await page.locator('[data-testid="messages"] b, [data-testid="messages"] img').count(), 0);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it("a reload shows the history; another browser gets its own, empty session", async () => {
    const first = await browser.newContext();
    const second = await browser.newContext();
    try {
      const { page } = await openChat(first);
      await sendMessage(page, "remember me");
      const session = await stored(page, "session");
      assert.ok(session, "the page should remember its session");
      await page.reload();
      await page.waitForSelector('[data-testid="messages"][data-history="loaded"]');
      assert.deepEqual(await bubbles(page), ["user:remember me", "assistant:remember me"]);

      const other = await openChat(second);
      assert.deepEqual(await bubbles(other.page), []);
      assert.notEqual(await stored(other.page, "client"), await stored(page, "client"));
      await sendMessage(other.page, "someone else");
      const otherSession = await stored(other.page, "session");
      assert.ok(otherSession);
      assert.notEqual(otherSession, session);
      await other.page.reload();
      await other.page.waitForSelector('[data-testid="messages"][data-history="loaded"]');
      assert.deepEqual(await bubbles(other.page), ["user:someone else", "assistant:someone else"]);
      assert.deepEqual(other.problems, []);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("web chat endpoints", () => {
  const messages = () => `${t.url}/channels/web/messages`;

  /** Send a message as a client and return the session its reply ran in. */
  async function chat(client: string, text: string): Promise<string> {
    const response = await fetch(messages(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client, text }) });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const frames = parseSse(await response.text());
    assert.equal(frames.at(-1)?.event, "done");
    assert.equal(frames.at(-1)?.data.reply, text);
    return frames.find((f) => f.event === "accepted")!.data.session as string;
  }

  it("serves the page with a strict Content-Security-Policy and its endpoint", async () => {
    for (const path of ["/", "/channels/web/page"]) {
      const response = await fetch(`${t.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /connect-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe/);
      assert.match(await response.text(), /data-endpoint="\/channels\/web"/);
    }
    const script = await fetch(`${t.url}/channels/web/app.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get("content-type") ?? "", /javascript/);
  });

  it("malformed JSON → 400", async () => {
    const res = await postJson(messages(), "{not json");
    assert.equal(res.status, 400);
    assert.match(res.body.error, /malformed JSON/);
  });

  it("a content type other than JSON → 415", async () => {
    const res = await fetch(messages(), { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    assert.equal(res.status, 415);
    assert.match(((await res.json()) as { error: string }).error, /application\/json/);
  });

  it("a body over the limit → 413", async () => {
    const res = await postJson(messages(), { client: "client-big-1", text: "x".repeat(40_000) });
    assert.equal(res.status, 413);
    assert.match(res.body.error, /limit/);
  });

  it("a bad client id → 400 naming the field", async () => {
    for (const client of ["short", "has spaces in it", "x".repeat(129), 12345678]) {
      const res = await postJson(messages(), { client, text: "hi" });
      assert.equal(res.status, 400, `client ${JSON.stringify(client)}`);
      assert.match(res.body.error, /^client: /);
    }
  });

  it("empty or too long text → 400 naming the field", async () => {
    for (const text of ["", "y".repeat(20_001)]) {
      const res = await postJson(messages(), { client: "client-text-1", text });
      assert.equal(res.status, 400);
      assert.match(res.body.error, /^text: /);
    }
  });

  it("history is only shown to the client whose session it is", async () => {
    const session = await chat("client-alice-1", "alice's secret");
    const own = await fetch(`${t.url}/channels/web/history?client=client-alice-1&session=${session}`);
    assert.equal(own.status, 200);
    const { transcript } = (await own.json()) as { transcript: Array<{ role: string; text: string }> };
    assert.deepEqual(transcript.map((e) => `${e.role}:${e.text}`), ["user:alice's secret", "assistant:alice's secret"]);

    const stranger = await fetch(`${t.url}/channels/web/history?client=client-mallory-1&session=${session}`);
    assert.equal(stranger.status, 404);
    assert.doesNotMatch(await stranger.text(), /secret/);
    const missing = await fetch(`${t.url}/channels/web/history?client=client-alice-1&session=no-such-session`);
    assert.equal(missing.status, 404);
    const bad = await fetch(`${t.url}/channels/web/history?client=bad&session=${session}`);
    assert.equal(bad.status, 400);
  });

  it("an unknown subpath → 404 JSON", async () => {
    const res = await fetch(`${t.url}/channels/web/nope`);
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.match(((await res.json()) as { error: string }).error, /no route/);
  });
});
