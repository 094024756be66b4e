/**
 * The agent's markdown in Telegram's markup. One small markdown reader (blocks line by line,
 * then inline spans) drives a dialect: MarkdownV2 (the default) or HTML. Whatever the input,
 * the output must parse on Telegram: a half-written span (a streaming reply cut mid-word, a
 * lone `*`) becomes escaped text, never a dangling entity that makes `sendMessage` fail with
 * "can't parse entities".
 */
import { htmlDialect, markdownV2Dialect, type Dialect } from "./format-dialects.ts";

export type TelegramFormat = "markdownv2" | "html";

export function markdownToTelegram(markdown: string, format: TelegramFormat = "markdownv2"): string {
  return renderBlocks(markdown, format === "html" ? htmlDialect : markdownV2Dialect);
}

export function markdownToMarkdownV2(markdown: string): string {
  return renderBlocks(markdown, markdownV2Dialect);
}

export function markdownToTelegramHtml(markdown: string): string {
  return renderBlocks(markdown, htmlDialect);
}

const fence = /^\s*(```|~~~)\s*([\w+#.-]*)\s*$/;
const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const quote = /^\s{0,3}>\s?(.*)$/;
const bullet = /^(\s*)[-*+]\s+(.*)$/;
const ordered = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const rule = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;

function renderBlocks(markdown: string, dialect: Dialect): string {
  const out: string[] = [];
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  let quoteLines: string[] = [];
  const flushQuote = () => {
    if (quoteLines.length > 0) out.push(dialect.quote(quoteLines));
    quoteLines = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = fence.exec(line);
    if (open) {
      flushQuote();
      const body: string[] = [];
      let j = i + 1;
      // An unclosed fence (a reply cut while streaming) runs to the end, and is closed for it.
      while (j < lines.length && !(lines[j]!.trim() === open[1])) body.push(lines[j++]!);
      out.push(dialect.pre(open[2] ?? "", body.join("\n")));
      i = j;
      continue;
    }
    const quoted = quote.exec(line);
    if (quoted) {
      quoteLines.push(renderInline(quoted[1]!, dialect));
      continue;
    }
    flushQuote();
    out.push(renderLine(line, dialect));
  }
  flushQuote();
  return out.join("\n");
}

function renderLine(line: string, dialect: Dialect): string {
  if (rule.test(line)) return "———";
  const h = heading.exec(line);
  if (h) return h[1] ? dialect.bold(renderInline(h[1], dialect, new Set(["bold"]))) : "";
  const b = bullet.exec(line);
  if (b) return `${b[1]}• ${renderInline(b[2]!, dialect)}`;
  const o = ordered.exec(line);
  if (o) return `${o[1]}${dialect.text(`${o[2]}.`)} ${renderInline(o[3]!, dialect)}`;
  return renderInline(line, dialect);
}

type Style = "bold" | "italic" | "strike" | "link";

// A target may hold one level of balanced parentheses (Wikipedia links do).
const link = /^\[([^\]\n]+)\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))+)>?(?:\s+"[^"\n]*")?\s*\)/;

/**
 * Inline spans of one line. `active` are the styles already open around this text: Telegram
 * refuses an entity nested in one of its own kind, so such a span is written as plain text.
 */
function renderInline(text: string, dialect: Dialect, active: ReadonlySet<Style> = new Set()): string {
  let out = "";
  let plain = "";
  let lastWasItalic = false;
  const emit = (piece: string, italic = false) => {
    const touching = plain === "" && lastWasItalic;
    out += dialect.text(plain);
    plain = "";
    if (italic && touching) out += dialect.italicSeparator;
    out += piece;
    lastWasItalic = italic;
  };
  const inside = (style: Style) => new Set([...active, style]);
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const rest = text.slice(i);
    if (ch === "\\" && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "`") {
      const ticks = /^`+/.exec(rest)![0];
      const end = text.indexOf(ticks, i + ticks.length);
      if (end > i + ticks.length) {
        const code = text.slice(i + ticks.length, end).replace(/^ (.*) $/, "$1");
        // Telegram's bold/italic/link may not contain code: inside them it stays plain text.
        if (active.size === 0) emit(dialect.code(code));
        else plain += code;
        i = end + ticks.length;
        continue;
      }
      plain += ticks;
      i += ticks.length;
      continue;
    }
    if (ch === "[" && !active.has("link")) {
      const m = link.exec(rest);
      if (m) {
        emit(dialect.link(renderInline(m[1]!, dialect, inside("link")), m[2]!));
        i += m[0].length;
        continue;
      }
    }
    const span = matchSpan(text, i);
    if (span && !active.has(span.style)) {
      const inner = renderInline(span.inner, dialect, inside(span.style));
      const rendered = span.style === "bold" ? dialect.bold(inner) : span.style === "italic" ? dialect.italic(inner) : dialect.strike(inner);
      emit(rendered, span.style === "italic");
      i = span.end;
      continue;
    }
    plain += ch;
    i++;
  }
  out += dialect.text(plain);
  return out;
}

/** A `**bold**`, `__bold__`, `*italic*`, `_italic_` or `~~strike~~` span starting at `i`. */
function matchSpan(text: string, i: number): { style: Exclude<Style, "link">; inner: string; end: number } | undefined {
  const rest = text.slice(i);
  const delimiter = /^(\*\*|__|~~|\*|_)/.exec(rest)?.[1];
  if (!delimiter) return undefined;
  const start = i + delimiter.length;
  if (start >= text.length || /\s/.test(text[start]!)) return undefined;
  const wordy = delimiter[0] === "_";
  // snake_case and 2*3*4 are words and arithmetic, not emphasis.
  if (wordy && i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]!)) return undefined;
  let from = start + 1;
  for (;;) {
    let end = text.indexOf(delimiter, from);
    if (end < 0) return undefined;
    // `***both***`: the bold closes at the end of the run, leaving the italic inside it.
    if (delimiter.length === 2) while (text[end + 2] === delimiter[0]) end++;
    const after = text[end + delimiter.length];
    const single = delimiter.length === 1;
    const doubled = single && (text[end + 1] === delimiter || text[end - 1] === delimiter);
    const closes = !/\s/.test(text[end - 1]!) && !doubled && !(wordy && after !== undefined && /[\p{L}\p{N}]/u.test(after));
    if (closes) {
      const style = delimiter === "~~" ? "strike" : delimiter.length === 2 ? "bold" : "italic";
      return { style, inner: text.slice(start, end), end: end + delimiter.length };
    }
    from = end + (single && doubled ? 2 : 1);
  }
}
