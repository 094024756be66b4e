/**
 * The web chat's browser script, plain and dependency-free. It keeps a random client id in
 * localStorage (the sender), posts messages, reads the SSE reply with fetch and a stream reader,
 * and renders every text with textContent, never as HTML. A sub-agent an agent exposes becomes a
 * tab of its own whose messages go straight to it; the browser remembers its tabs.
 */
import { SSE_SCRIPT } from "./sse.ts";
import { TABS_SCRIPT } from "./tabs.ts";

export const WEBCHAT_SCRIPT = String.raw`"use strict";
(() => {
  const endpoint = document.body.dataset.endpoint || "";
  const form = document.querySelector('[data-testid="composer"]');
  const input = document.querySelector('[data-testid="input"]');
  const storageKey = (name) => "switchboard:" + endpoint + ":" + name;

  const stored = (name) => {
    try { return localStorage.getItem(storageKey(name)); } catch { return null; }
  };
  const remember = (name, value) => {
    try {
      if (value === null) localStorage.removeItem(storageKey(name));
      else localStorage.setItem(storageKey(name), value);
    } catch { /* private mode: the chat still works, it just forgets on reload */ }
  };

  // getRandomValues, unlike randomUUID, also works on plain http away from localhost.
  const randomId = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  let client = stored("client");
  if (!client || !/^[A-Za-z0-9_-]{8,128}$/.test(client)) {
    client = randomId();
    remember("client", client);
  }

  const bubble = (role, text) => {
    const item = document.createElement("li");
    item.className = "bubble " + role;
    item.dataset.testid = role;
    item.textContent = text;
    return item;
  };
  const notice = (text) => {
    const item = document.createElement("li");
    item.className = "notice";
    item.dataset.testid = "system";
    item.textContent = text;
    return item;
  };
  const scrollDown = (list) => { list.scrollTop = list.scrollHeight; };
  const fail = (item, shown, message) => {
    item.classList.add("error");
    item.dataset.error = "true";
    item.textContent = (shown ? shown + "\n\n" : "") + "⚠ " + message;
  };
  const isText = (value, max) => typeof value === "string" && value.length > 0 && value.length <= max;
  // What a transcript entry or a bubble sent from this page is, so a history load skips what is shown.
  const entryKey = (role, messageId, at) => role + ":" + (messageId || "at:" + at);
${TABS_SCRIPT}
${SSE_SCRIPT}
  const mainPanel = document.getElementById("panel-main");
  const tabs = createTabBar(
    document.querySelector('[data-testid="tabs"]'),
    { key: "main", button: document.querySelector('[data-testid="tab-main"]'), panel: mainPanel, list: mainPanel.querySelector("ol"), shown: new Set() },
    (tab) => {
      input.setAttribute("aria-label", tab.subagent ? "Message to " + tab.label : "Message");
      scrollDown(tab.list);
    },
  );

  /** Sub-agent tabs as localStorage keeps them: { subagent, label, session, parent, after }. */
  function storedTabs() {
    try {
      const records = JSON.parse(stored("tabs") || "[]");
      if (!Array.isArray(records)) return [];
      return records.filter((r) => r && isText(r.subagent, 256) && isText(r.label, 200) && isText(r.session, 256)
        && isText(r.parent, 300) && (r.after === undefined || isText(r.after, 256)));
    } catch {
      return [];
    }
  }
  function saveTabs() {
    const records = tabs.all().filter((tab) => tab.subagent)
      .map(({ subagent, label, session, parent, after }) => ({ subagent, label, session, parent, after }));
    remember("tabs", records.length > 0 ? JSON.stringify(records) : null);
  }

  const announcement = (tab) => tab.label + " is now a tab you can talk to";

  /** A sub-agent exposed while the parent tab's message ran: its tab, made on first sight. */
  function exposed(parent, data, messageId, reply) {
    if (!isText(data.subagentId, 256) || !isText(data.sessionId, 256)) return undefined;
    const known = tabs.find(data.subagentId);
    if (known) return known;
    const label = String(data.label || data.agentId || "Sub-agent").slice(0, 200);
    const tab = tabs.add({ subagent: data.subagentId, label, session: data.sessionId, parent: parent.key, after: messageId, shown: new Set(), announced: true });
    reply.before(notice(announcement(tab)));
    saveTabs();
    return tab;
  }

  /** After a load, put back the announcements of tabs exposed by a message in this history. */
  function announceIn(tab) {
    for (const child of tabs.all()) {
      if (child.parent !== tab.key || child.announced || !child.after) continue;
      let spot = [...tab.list.children].find((item) => item.dataset.testid === "user" && item.dataset.messageId === child.after);
      if (!spot) continue;
      while (spot.nextElementSibling && spot.nextElementSibling.dataset.testid === "system") spot = spot.nextElementSibling;
      spot.after(notice(announcement(child)));
      child.announced = true;
    }
  }

  /** The tab's conversation is gone (or was never this browser's): stop offering it. */
  function forget(tab) {
    if (!tab.subagent) {
      remember("session", null);
      return;
    }
    tabs.remove(tab);
    saveTabs();
  }

  async function fetchHistory(tab) {
    const session = tab.subagent ? tab.session : stored("session");
    try {
      if (!session) return;
      let query = "?client=" + encodeURIComponent(client) + "&session=" + encodeURIComponent(session);
      if (tab.subagent) query += "&subagent=" + encodeURIComponent(tab.subagent);
      const response = await fetch(endpoint + "/history" + query, { headers: { accept: "application/json" } });
      if (response.status === 404) { forget(tab); return; }
      if (!response.ok) return;
      const body = await response.json();
      const entries = document.createDocumentFragment();
      for (const entry of body.transcript || []) {
        const role = entry.role === "user" ? "user" : "assistant";
        const key = entryKey(role, entry.messageId, entry.at);
        if (tab.shown.has(key)) continue;
        tab.shown.add(key);
        const item = bubble(role, String(entry.text));
        if (entry.messageId) item.dataset.messageId = String(entry.messageId);
        entries.append(item);
      }
      // The first load goes above messages sent meanwhile; later ones add what happened since.
      if (tab.list.dataset.history === "loaded") tab.list.append(entries);
      else tab.list.prepend(entries);
      announceIn(tab);
      scrollDown(tab.list);
    } catch {
      // History is a convenience; the chat works without it.
    } finally {
      tab.list.dataset.history = "loaded";
    }
  }
  /** Load (again) a tab's history, one load at a time per tab. */
  function loadHistory(tab) {
    tab.history = (tab.history || Promise.resolve()).then(() => fetchHistory(tab));
    return tab.history;
  }

  function accepted(tab, data, mine, reply) {
    mine.dataset.messageId = data.messageId;
    reply.dataset.messageId = data.messageId;
    tab.shown.add(entryKey("user", data.messageId));
    tab.shown.add(entryKey("assistant", data.messageId));
    if (!tab.subagent) remember("session", data.session);
    else if (tab.session !== data.session) {
      tab.session = data.session;
      saveTabs();
    }
  }

  async function send(tab, text) {
    const list = tab.list;
    const mine = bubble("user", text);
    list.append(mine);
    const reply = bubble("assistant", "");
    reply.classList.add("pending");
    list.append(reply);
    scrollDown(list);
    const delegatedTo = new Set();
    let messageId;
    let shown = "";
    let agentError = "";
    let finished = false;
    try {
      const message = { client, text, id: randomId() };
      if (tab.subagent) message.subagent = tab.subagent;
      const response = await fetch(endpoint + "/messages", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify(message),
      });
      if (!response.ok || !response.body) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.error || "the gateway answered " + response.status);
      }
      for await (const { event, data } of frames(response.body)) {
        if (event === "accepted") {
          messageId = data.messageId;
          accepted(tab, data, mine, reply);
        } else if (event === "subagent.exposed") {
          const child = exposed(tab, data, messageId, reply);
          if (child) delegatedTo.add(child);
        } else if (event === "text.delta") {
          shown += data.text;
          reply.textContent = shown;
        } else if (event === "error") agentError = data.message || "the agent failed";
        else if (event === "rejected") {
          fail(reply, shown, data.reason);
          finished = true;
        } else if (event === "done") {
          finished = true;
          if (data.status === "done") reply.textContent = data.reply;
          else fail(reply, data.reply || shown, agentError || "the reply " + data.status);
        }
        scrollDown(list);
      }
      if (!finished) fail(reply, shown, "the connection closed before the reply was complete");
    } catch (error) {
      fail(reply, shown, error instanceof Error ? error.message : String(error));
    } finally {
      reply.classList.remove("pending");
      reply.dataset.state = "complete";
      scrollDown(list);
      // The delegations ran in the sub-agents' sessions: show them in their tabs.
      for (const child of delegatedTo) void loadHistory(child);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    input.style.height = "";
    void send(tabs.selected(), text);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  input.addEventListener("input", () => {
    input.style.height = "auto";
    input.style.height = input.scrollHeight + "px";
  });

  for (const record of storedTabs()) {
    if (!tabs.find(record.subagent)) tabs.add({ ...record, shown: new Set(), announced: false });
  }
  for (const tab of tabs.all()) void loadHistory(tab);
})();
`;
