/**
 * Sub-agents in the web chat: when an agent exposes a sub-agent, the page in real headless
 * Chromium gets a tab where the user talks to that sub-agent directly, without the parent; the
 * tabs belong to one browser and come back after a reload. Over HTTP, a sub-agent answers only
 * the browser it was exposed to.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { adminHeaders, getJson, parseSse, postJson, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { stored, watchProblems } from "../helpers/browser.ts";
import { coordinator, researcher } from "../fixtures/subagent-agents.ts";

const CHROMIUM = "/usr/bin/chromium";
const ANNOUNCEMENT = "system:Research is now a tab you can talk to";

let t: TestGateway;
before(async () => {
  t = await startGateway(
    {
      defaultAgent: "coordinator",
      channels: { web: { type: "webchat", title: "Test chat" }, api: { type: "http" } },
    },
    (gw) => {
      gw.addAgent("coordinator", coordinator);
      gw.addAgent("researcher", researcher);
    },
  );
});
after(() => t?.stop());

const messagesUrl = () => `${t.url}/channels/web/messages`;

/** A page with its console errors, page errors and failed requests collected. */
async function openChat(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${t.url}/`);
  await historyLoaded(page, "main");
  return { page, problems };
}

/** The panel of a tab: `main` or a sub-agent id. */
const panel = (tab: string) => `[role="tabpanel"][data-tab="${tab}"]`;

async function historyLoaded(page: Page, tab: string): Promise<void> {
  await page.waitForSelector(`${panel(tab)} [data-testid="messages"][data-history="loaded"]`, { state: "attached", timeout: 10_000 });
}

/** Type into the composer, send, and wait for the reply to complete in the given tab. */
async function sendMessage(page: Page, tab: string, text: string): Promise<void> {
  const done = `${panel(tab)} [data-testid="assistant"][data-state="complete"]`;
  const before = await page.locator(done).count();
  await page.getByTestId("input").fill(text);
  await page.getByTestId("send").click();
  await page.waitForFunction(([selector, count]) => document.querySelectorAll(selector).length > count, [done, before] as const, { timeout: 10_000 });
}

/** What a tab's message list shows, as `role:text`. */
async function bubbles(page: Page, tab: string): Promise<string[]> {
  return page.$$eval(`${panel(tab)} [data-testid="messages"] > [data-testid]`, (items) => items.map((item) => `${item.getAttribute("data-testid")}:${item.textContent}`));
}

describe("a sub-agent in the web chat opens as a tab", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let subagent = "";
  let parentSession = "";

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) to run the web chat browser tests`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context = await browser.newContext();
    ({ page, problems } = await openChat(context));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
  });

  it("asking for research shows the reply in the main tab and adds a Research tab", async () => {
    assert.equal(await page.getByRole("tablist").isVisible(), false, "the tab bar stays hidden while there is only the main conversation");
    await sendMessage(page, "main", "research tides");
    assert.deepEqual(await bubbles(page, "main"), ["user:research tides", ANNOUNCEMENT, "assistant:The researcher says: finding #1 on tides"]);

    const tab = page.getByRole("tab", { name: "Research" });
    assert.equal(await tab.isVisible(), true);
    assert.equal(await tab.getAttribute("aria-selected"), "false");
    assert.equal(await page.getByTestId("tab-main").getAttribute("aria-selected"), "true");
    subagent = (await tab.getAttribute("data-subagent-id")) ?? "";
    assert.ok(subagent, "the tab should name its sub-agent");
    assert.equal(await tab.getAttribute("data-testid"), "tab");
    parentSession = (await stored(page, "session")) ?? "";
    assert.ok(parentSession);
  });

  it("in the Research tab the user talks to the researcher directly", async () => {
    await page.getByRole("tab", { name: "Research" }).click();
    assert.equal(await page.getByRole("tab", { name: "Research" }).getAttribute("aria-selected"), "true");
    assert.equal(await page.locator(panel("main")).isVisible(), false);
    await historyLoaded(page, subagent);
    // The task the coordinator handed over is where the researcher's conversation starts.
    assert.deepEqual(await bubbles(page, subagent), ["user:tides", "assistant:finding #1 on tides"]);

    await sendMessage(page, subagent, "and currents?");
    assert.deepEqual(await bubbles(page, subagent), ["user:tides", "assistant:finding #1 on tides", "user:and currents?", "assistant:finding #2 on and currents?"]);
  });

  it("the main tab still shows only the first exchange, and the parent's transcript is untouched", async () => {
    await page.getByTestId("tab-main").click();
    assert.equal(await page.getByTestId("tab-main").getAttribute("aria-selected"), "true");
    assert.equal(await page.locator(panel(subagent)).isVisible(), false);
    assert.deepEqual(await bubbles(page, "main"), ["user:research tides", ANNOUNCEMENT, "assistant:The researcher says: finding #1 on tides"]);
    assert.equal(await stored(page, "session"), parentSession, "talking to the sub-agent must not move the main tab's session");

    const parent = await getJson(`${t.url}/v1/sessions/${parentSession}`, adminHeaders);
    assert.equal(parent.status, 200);
    assert.deepEqual(
      parent.body.transcript.map((e: { role: string; text: string }) => `${e.role}:${e.text}`),
      ["user:research tides", "assistant:The researcher says: finding #1 on tides"],
    );
  });

  it("a reload brings back both tabs and their histories", async () => {
    await page.reload();
    await historyLoaded(page, "main");
    await historyLoaded(page, subagent);
    assert.deepEqual(await page.getByRole("tab").allTextContents(), ["Chat", "Research"]);
    assert.deepEqual(await bubbles(page, "main"), ["user:research tides", ANNOUNCEMENT, "assistant:The researcher says: finding #1 on tides"]);
    await page.getByRole("tab", { name: "Research" }).click();
    assert.deepEqual(await bubbles(page, subagent), ["user:tides", "assistant:finding #1 on tides", "user:and currents?", "assistant:finding #2 on and currents?"]);
    assert.deepEqual(problems, []);
  });

  it("the arrow keys move between tabs", async () => {
    await page.getByRole("tab", { name: "Research" }).focus();
    await page.keyboard.press("ArrowLeft");
    assert.equal(await page.getByTestId("tab-main").getAttribute("aria-selected"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "tab-main");
    await page.keyboard.press("End");
    assert.equal(await page.getByRole("tab", { name: "Research" }).getAttribute("aria-selected"), "true");
  });

  it("another browser sees no tab and cannot reach the sub-agent", async () => {
    const second = await browser.newContext();
    try {
      const other = await openChat(second);
      assert.equal(await other.page.getByRole("tablist").isVisible(), false);
      assert.equal(await other.page.getByTestId("tab").count(), 0);
      const otherClient = await stored(other.page, "client");
      assert.ok(otherClient);

      const posted = await postJson(messagesUrl(), { client: otherClient, text: "what did you find?", subagent });
      assert.equal(posted.status, 404);
      assert.equal(posted.body.error, `no sub-agent "${subagent}" for this browser`);
      const subSession = JSON.parse((await stored(page, "tabs")) ?? "[]")[0]?.session as string;
      assert.ok(subSession);
      const history = await fetch(`${t.url}/channels/web/history?client=${otherClient}&session=${subSession}&subagent=${subagent}`);
      assert.equal(history.status, 404);
      assert.doesNotMatch(await history.text(), /tides/);
      assert.deepEqual(other.problems, []);
    } finally {
      await second.close();
    }
  });
});

describe("web chat sub-agent endpoints", () => {
  const client = "client-http-sub-1";

  /** Post a message as a client and return its SSE frames. */
  async function chat(body: Record<string, unknown>): Promise<Array<{ event: string; data: any }>> {
    const response = await fetch(messagesUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    return parseSse(await response.text());
  }

  let subagent = "";
  let subSession = "";

  it("a message with a sub-agent id streams that sub-agent's reply, like any message", async () => {
    const first = await chat({ client, text: "research waves" });
    const exposed = first.find((f) => f.event === "subagent.exposed");
    assert.ok(exposed, `no subagent.exposed in ${first.map((f) => f.event).join(",")}`);
    subagent = exposed.data.subagentId;
    subSession = exposed.data.sessionId;

    const direct = await chat({ client, text: "and swell?", subagent });
    assert.deepEqual(direct.map((f) => f.event).filter((e) => e === "accepted" || e === "done"), ["accepted", "done"]);
    assert.equal(direct[0]!.data.session, subSession);
    assert.equal(direct[0]!.data.agent, "researcher");
    assert.equal(direct.at(-1)!.data.reply, "finding #2 on and swell?");
  });

  it("an unknown sub-agent id → 404", async () => {
    const res = await postJson(messagesUrl(), { client, text: "hello?", subagent: "no-such-subagent" });
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'no sub-agent "no-such-subagent" for this browser');
  });

  it("a sub-agent's history is shown only when asked for with its id, to its own browser", async () => {
    const history = (query: string) => fetch(`${t.url}/channels/web/history?${query}`);
    const own = await history(`client=${client}&session=${subSession}&subagent=${subagent}`);
    assert.equal(own.status, 200);
    const { transcript } = (await own.json()) as { transcript: Array<{ role: string; text: string }> };
    assert.deepEqual(transcript.map((e) => e.text), ["waves", "finding #1 on waves", "and swell?", "finding #2 on and swell?"]);

    assert.equal((await history(`client=${client}&session=${subSession}`)).status, 404, "without the sub-agent id");
    assert.equal((await history(`client=${client}&session=${subSession}&subagent=no-such-subagent`)).status, 404, "with another id");
    assert.equal((await history(`client=client-http-sub-2&session=${subSession}&subagent=${subagent}`)).status, 404, "for another browser");
  });
});
