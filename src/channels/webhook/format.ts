/**
 * What the callback's `text` holds. `markdown` (the default) passes the agent's markdown through
 * untouched, since the receiver renders it; `text` turns it into plain text for receivers that
 * show text as is (SMS gateways, logs): emphasis markers and fences dropped, links written as
 * `label (url)`, code kept verbatim.
 */

export type WebhookTextFormat = "markdown" | "text";

export function formatReply(markdown: string, format: WebhookTextFormat): string {
  return format === "markdown" ? markdown : markdownToPlainText(markdown);
}

export function markdownToPlainText(markdown: string): string {
  const out: string[] = [];
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    out.push(inFence ? line : plainLine(line));
  }
  return out.join("\n");
}

/** One line outside code blocks; inline code spans are kept verbatim, everything else is unmarked. */
function plainLine(line: string): string {
  const block = line
    .replace(/^(\s*)#{1,6}\s+/, "$1")
    .replace(/^(\s*)>\s?/, "$1")
    .replace(/^(\s*)[*+]\s+/, "$1- ");
  return block
    .split(/(`+[^`]*`+)/)
    .map((piece, i) => (i % 2 === 1 ? piece.replace(/^`+|`+$/g, "") : plainInline(piece)))
    .join("");
}

function plainInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, "$1 ($2)")
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_match, label: string, url: string) => (label === url ? url : `${label} (${url})`))
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
    .replace(/(^|[^\w*])([*_])(?=\S)(.+?)(?<=\S)\2(?![\w*])/g, "$1$3")
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, "$1");
}
