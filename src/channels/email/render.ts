/**
 * Agent markdown to an email body: a plain-text part (the markdown itself, which reads well as
 * text, with links spelled out) and a small, safe HTML part. Only a fixed set of tags is ever
 * produced; every character of the agent's text is escaped, and links keep only http, https and
 * mailto targets, so an agent (or a prompt injection) cannot put markup or script into a mail.
 */

export function renderMarkdown(markdown: string): { text: string; html: string } {
  const source = markdown.replace(/\r\n?/g, "\n").replace(/[\uE000\uE001]/g, "").replace(/\s+$/, "");
  const lines = source === "" ? [] : source.split("\n");
  return { text: plainText(lines), html: blocks(lines) };
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A link target we are willing to put in an href, or undefined. */
export function safeUrl(url: string): string | undefined {
  const trimmed = url.trim();
  // No whitespace or control characters: they end or bend an href in some clients.
  if ([...trimmed].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f) || /\s/.test(trimmed)) return undefined;
  return /^(?:https?:\/\/[^/?#]|mailto:[^\s])/i.test(trimmed) ? trimmed : undefined;
}

const fenceOpen = /^ {0,3}(`{3,}|~{3,})[ \t]*([\w+#.-]*)/;
const heading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const rule = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const quote = /^ {0,3}> ?/;
const listItem = /^( {0,3})([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;

function startsBlock(line: string): boolean {
  return fenceOpen.test(line) || heading.test(line) || rule.test(line) || quote.test(line) || listItem.test(line);
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const isBlank = (line: string) => line.trim() === "";

/** Block structure: fenced code, headings, rules, quotes, lists and paragraphs. */
function blocks(lines: string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = fenceOpen.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const close = new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}[ \\t]*$`);
      const body: string[] = [];
      i++;
      while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
      i++; // the closing fence (or the end of the text)
      const language = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${language}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const h = heading.exec(line);
    if (h) {
      const level = h[1]!.length;
      out.push(`<h${level}>${inline(h[2] ?? "")}</h${level}>`);
      i++;
      continue;
    }
    if (rule.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (quote.test(line)) {
      const body: string[] = [];
      while (i < lines.length && quote.test(lines[i]!)) body.push(lines[i++]!.replace(quote, ""));
      out.push(`<blockquote>${blocks(body)}</blockquote>`);
      continue;
    }
    if (listItem.test(line)) {
      i = list(lines, i, out);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && !isBlank(lines[i]!) && (paragraph.length === 0 || !startsBlock(lines[i]!))) paragraph.push(lines[i++]!.trim());
    out.push(`<p>${paragraph.map(inline).join("<br>\n")}</p>`);
  }
  return out.join("\n");
}

/** One list starting at `start`; items may hold nested blocks indented under them. Returns the next line. */
function list(lines: string[], start: number, out: string[]): number {
  const first = listItem.exec(lines[start]!)!;
  const ordered = /\d/.test(first[2]!);
  const baseIndent = first[1]!.length;
  const items: Array<{ lines: string[]; loose: boolean }> = [];
  let i = start;
  while (i < lines.length) {
    const m = listItem.exec(lines[i]!);
    if (!m || m[1]!.length !== baseIndent || /\d/.test(m[2]!) !== ordered) break;
    const contentIndent = baseIndent + m[2]!.length + 1;
    const item = { lines: [m[3]!], loose: false };
    i++;
    while (i < lines.length) {
      const line = lines[i]!;
      if (isBlank(line)) {
        const next = lines.slice(i + 1).find((l) => !isBlank(l));
        if (next === undefined || indentOf(next) < Math.min(contentIndent, baseIndent + 2)) break;
        item.lines.push("");
        item.loose = true;
        i++;
        continue;
      }
      if (indentOf(line) >= Math.min(contentIndent, baseIndent + 2)) {
        item.lines.push(line.slice(Math.min(indentOf(line), contentIndent)));
      } else if (!startsBlock(line)) {
        item.lines.push(line); // a lazy continuation of the item's paragraph
      } else {
        break;
      }
      i++;
    }
    items.push(item);
    // A blank line between two items of the same list does not end it.
    if (i < lines.length && isBlank(lines[i]!)) {
      const j = lines.findIndex((l, k) => k > i && !isBlank(l));
      const next = j === -1 ? undefined : listItem.exec(lines[j]!);
      if (next && next[1]!.length === baseIndent && /\d/.test(next[2]!) === ordered) i = j;
    }
  }
  const number = Number.parseInt(first[2]!, 10);
  const open = ordered ? (number !== 1 ? `<ol start="${number}">` : "<ol>") : "<ul>";
  const rendered = items.map((item) => {
    const html = blocks(item.lines);
    // A tight item is just its text, not a paragraph.
    return `<li>${item.loose ? html : html.replace(/^<p>([\s\S]*?)<\/p>/, "$1")}</li>`;
  });
  out.push(`${open}\n${rendered.join("\n")}\n${ordered ? "</ol>" : "</ul>"}`);
  return i;
}

const hold = (n: number) => `\uE000${n}\uE001`;

/**
 * Inline markup. Code spans, links and backslash escapes are taken out first and held as
 * placeholders, the rest is escaped, emphasis is applied to the escaped text, and the held
 * pieces (each already safe) are put back.
 */
function inline(text: string): string {
  const held: string[] = [];
  const keep = (html: string) => hold(held.push(html) - 1);
  let s = text.replace(/\\([\\`*_{}[\]()#+\-.!~>|<])/g, (_, c: string) => keep(escapeHtml(c)));
  s = s.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, code: string) => {
    const trimmed = /^ .* $/.test(code) ? code.slice(1, -1) : code;
    return keep(`<code>${escapeHtml(trimmed)}</code>`);
  });
  s = s.replace(/\[([^\]\n]+)\]\(\s*<?([^\s()<>]+(?:\([^\s()<>]*\))?)>?(?:\s+"[^"\n]*")?\s*\)/g, (whole, label: string, url: string) => {
    const href = safeUrl(url);
    return href === undefined ? keep(emphasis(escapeHtml(label))) : keep(`<a href="${escapeHtml(href)}">${emphasis(escapeHtml(label))}</a>`);
  });
  s = s.replace(/<((?:https?:\/\/|mailto:)[^\s<>]+)>/gi, (whole, url: string) => {
    const href = safeUrl(url);
    return href === undefined ? whole : keep(`<a href="${escapeHtml(href)}">${escapeHtml(url)}</a>`);
  });
  s = s.replace(/\bhttps?:\/\/[^\s<>\uE000\uE001]+/gi, (url: string) => {
    const trail = /[.,;:!?'")\]]+$/.exec(url)?.[0] ?? "";
    const bare = url.slice(0, url.length - trail.length);
    const href = safeUrl(bare);
    return href === undefined ? url : keep(`<a href="${escapeHtml(href)}">${escapeHtml(bare)}</a>`) + trail;
  });
  s = emphasis(escapeHtml(s));
  // Held pieces can contain other held pieces (a link label with code in it), so restore until none remain.
  for (let round = 0; round < 4 && s.includes("\uE000"); round++) s = s.replace(/\uE000(\d+)\uE001/g, (_, n: string) => held[Number(n)] ?? "");
  return s;
}

/**
 * Bold, italic and strikethrough over already-escaped text. Spans are bounded in length so that
 * a long line full of unmatched markers cannot make the lazy matches quadratic.
 */
function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)([^\n]{0,1000}?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^\w])__(?=\S)([^\n]{0,1000}?\S)__(?!\w)/g, "$1<strong>$2</strong>")
    .replace(/\*(?=[^\s*])([^*\n]{0,1000}?[^\s*])\*/g, "<em>$1</em>")
    .replace(/\*(?=[^\s*])([^*])\*/g, "<em>$1</em>")
    .replace(/(^|[^\w])_(?=[^\s_])([^_\n]{0,1000}?[^\s_]|[^\s_])_(?!\w)/g, "$1<em>$2</em>")
    .replace(/~~(?=\S)([^\n]{0,1000}?\S)~~/g, "<del>$1</del>");
}

/** The text part: the markdown as written, with `[label](url)` spelled out as `label (url)`. */
function plainText(lines: string[]): string {
  const out: string[] = [];
  let fence: RegExp | undefined;
  for (const line of lines) {
    if (fence) {
      if (fence.test(line)) fence = undefined;
      out.push(line);
      continue;
    }
    const open = fenceOpen.exec(line);
    if (open) {
      fence = new RegExp(`^ {0,3}${open[1]![0] === "`" ? "`" : "~"}{${open[1]!.length},}[ \\t]*$`);
      out.push(line);
      continue;
    }
    // Leave code spans alone; spell out links elsewhere.
    out.push(
      line
        .split(/(`+[^`]*`+)/)
        .map((part, k) => (k % 2 === 1 ? part : part.replace(/\[([^\]\n]+)\]\(\s*<?([^\s()<>]+)>?(?:\s+"[^"\n]*")?\s*\)/g, (_, label: string, url: string) => (label === url ? url : `${label} (${url})`))))
        .join(""),
    );
  }
  return out.join("\n");
}
