/**
 * The web chat's browser script, plain and dependency-free. It keeps a random client id in
 * localStorage (the sender), posts messages, reads the SSE reply with fetch and a stream reader,
 * and renders every text with textContent, never as HTML.
 */
export const WEBCHAT_SCRIPT = String.raw`"use strict";
(() => {
  const endpoint = document.body.dataset.endpoint || "";
  const list = document.querySelector('[data-testid="messages"]');
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
  const scrollDown = () => { list.scrollTop = list.scrollHeight; };
  const fail = (item, shown, message) => {
    item.classList.add("error");
    item.dataset.error = "true";
    item.textContent = (shown ? shown + "\n\n" : "") + "⚠ " + message;
  };

  async function loadHistory() {
    const session = stored("session");
    try {
      if (!session) return;
      const query = "?client=" + encodeURIComponent(client) + "&session=" + encodeURIComponent(session);
      const response = await fetch(endpoint + "/history" + query, { headers: { accept: "application/json" } });
      if (response.status === 404) { remember("session", null); return; }
      if (!response.ok) return;
      const body = await response.json();
      const earlier = document.createDocumentFragment();
      for (const entry of body.transcript || []) {
        earlier.append(bubble(entry.role === "user" ? "user" : "assistant", String(entry.text)));
      }
      // Messages sent while the history loaded stay below it.
      list.prepend(earlier);
      scrollDown();
    } catch {
      // History is a convenience; the chat works without it.
    } finally {
      list.dataset.history = "loaded";
    }
  }

  function parseFrame(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length === 0) return null;
    try { return { event, data: JSON.parse(data.join("\n")) }; } catch { return null; }
  }

  async function* frames(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      buffer += decoder.decode(value, { stream: !done }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (frame) yield frame;
      }
      if (done) return;
    }
  }

  async function send(text) {
    list.append(bubble("user", text));
    const reply = bubble("assistant", "");
    reply.classList.add("pending");
    list.append(reply);
    scrollDown();
    let shown = "";
    let agentError = "";
    let finished = false;
    try {
      const response = await fetch(endpoint + "/messages", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ client, text, id: randomId() }),
      });
      if (!response.ok || !response.body) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.error || "the gateway answered " + response.status);
      }
      for await (const { event, data } of frames(response.body)) {
        if (event === "accepted") remember("session", data.session);
        else if (event === "text.delta") {
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
        scrollDown();
      }
      if (!finished) fail(reply, shown, "the connection closed before the reply was complete");
    } catch (error) {
      fail(reply, shown, error instanceof Error ? error.message : String(error));
    } finally {
      reply.classList.remove("pending");
      reply.dataset.state = "complete";
      scrollDown();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    input.style.height = "";
    void send(text);
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

  void loadHistory();
})();
`;
