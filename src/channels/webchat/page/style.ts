/** The web chat's stylesheet: tabs over one column of bubbles above a composer, light and dark. */
export const WEBCHAT_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #ffffff; --text: #1c1e21; --muted: #6b7280;
  --user: #2563eb; --user-text: #ffffff; --assistant: #eef0f3; --error: #b91c1c; --border: #dfe3e8;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111315; --panel: #1a1d21; --text: #e6e8eb; --muted: #9aa1ab;
    --user: #3b82f6; --assistant: #262a30; --error: #f87171; --border: #2e333a;
  }
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; background: var(--bg); color: var(--text); }
.chat { display: flex; flex-direction: column; height: 100%; max-width: 46rem; margin: 0 auto; background: var(--panel); }
header { padding: 0.75rem 1rem; border-bottom: 1px solid var(--border); }
h1 { margin: 0; font-size: 1.05rem; font-weight: 600; }
[hidden] { display: none !important; }
.tabs { display: flex; gap: 0.25rem; padding: 0.5rem 1rem 0; border-bottom: 1px solid var(--border); overflow-x: auto; }
.tab {
  padding: 0.35rem 0.9rem; font-weight: 500; color: var(--muted); background: none;
  border: 1px solid transparent; border-bottom: 0; border-radius: 0.5rem 0.5rem 0 0; white-space: nowrap;
}
.tab[aria-selected="true"] { color: var(--text); background: var(--bg); border-color: var(--border); }
.tab:focus-visible { outline: 2px solid var(--user); outline-offset: -2px; }
.panel { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.messages { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 1rem; display: flex; flex-direction: column; gap: 0.5rem; }
.bubble { max-width: 80%; padding: 0.5rem 0.75rem; border-radius: 0.9rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.bubble.user { align-self: flex-end; background: var(--user); color: var(--user-text); border-bottom-right-radius: 0.25rem; }
.bubble.assistant { align-self: flex-start; background: var(--assistant); border-bottom-left-radius: 0.25rem; }
.bubble.pending:empty::after { content: "…"; color: var(--muted); }
.bubble.error { color: var(--error); }
.notice { align-self: center; font-size: 0.85rem; color: var(--muted); text-align: center; }
.composer { display: flex; gap: 0.5rem; padding: 0.75rem 1rem; border-top: 1px solid var(--border); }
textarea {
  flex: 1; resize: none; max-height: 12rem; padding: 0.5rem 0.75rem; font: inherit; color: inherit;
  background: var(--bg); border: 1px solid var(--border); border-radius: 0.6rem;
}
textarea:focus { outline: 2px solid var(--user); outline-offset: -1px; }
button {
  padding: 0 1.1rem; font: inherit; font-weight: 600; color: var(--user-text); background: var(--user);
  border: 0; border-radius: 0.6rem; cursor: pointer;
}
button:disabled { opacity: 0.5; cursor: default; }
`;
