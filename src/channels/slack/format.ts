/**
 * Renders the agent's CommonMark-ish markdown as Slack mrkdwn: emphasis, links, headings, lists,
 * rules and tables rewritten in Slack's syntax, and &, <, > escaped wherever Slack would parse them.
 */
import { renderTable, tableAt } from "./format-table.ts";

/** How inline markdown is written: mrkdwn, mrkdwn inside a line that is already bold, or plain text. */
type InlineMode = "mrkdwn" | "bold" | "plain";

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
/**
 * Slack reads &, < and > as control characters in all message text, code included (an unescaped
 * `map<K,V>` in backticks shows as `mapK,V`), and shows &amp; &lt; &gt; as the characters again.
 */
const escape = (text: string): string => text.replace(/[&<>]/g, (ch) => entities[ch]!);

const fenceOpen = /^\s*(`{3,}|~{3,})(.*)$/;
const fenceClose = /^\s*(`{3,}|~{3,})\s*$/;
const atxHeading = /^ {0,3}#{1,6}(?=[ \t]|$)[ \t]*(.*?)(?:[ \t]+#+)?[ \t]*$/;
const setextUnderline = /^ {0,3}(?:=+|-{2,})[ \t]*$/;
const rule = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const bullet = /^([ \t]*)[-*+][ \t]+(.*)$/;
const ordered = /^([ \t]*\d{1,9}[.)][ \t]+)(.*)$/;
const quote = /^[ \t]*> ?(.*)$/;
const taskBox = /^\[([ xX])\][ \t]+/;
const asciiPunctuation = /[!-/:-@[-`{-~]/;
const wordChar = /[\p{L}\p{N}]/u;
// A CommonMark autolink <scheme:…>, or a Slack-style <url|label> link the agent wrote itself.
const autolink = /<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>|]*)(?:\|([^<>\n]*))?>|<([\w.+-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)>/y;
const bareUrl = /(?:https?|ftp):\/\/[^\s<>]+/y;
const linkDestination =
  /\(\s*(?:<([^<>\n]*)>|((?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*))(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)/y;
const divider = "———";
const maxLabel = 1000; // longer "labels" are stray brackets; the cap keeps a line of them linear

/** Converts the agent's markdown into Slack mrkdwn, ready to post as a message's `text`. */
export function markdownToMrkdwn(markdown: string): string {
  return convertBlocks(markdown.replace(/\r\n?/g, "\n").split("\n")).join("\n");
}

function convertBlocks(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    const fence = fenceOpen.exec(line);
    const table = tableAt(lines, i);
    if (fence && !(fence[1]!.startsWith("`") && fence[2]!.includes("`"))) {
      i = codeBlock(lines, i + 1, fence[1]!, out);
    } else if (table) {
      // A code block shows no formatting, so cells are written as plain text.
      out.push("```", ...renderTable(table, (cell) => inline(cell, "plain")).map(escape), "```");
      i = table.end;
    } else if (quote.test(line)) {
      const inner: string[] = [];
      for (let m; i < lines.length && (m = quote.exec(lines[i]!)); i++) inner.push(m[1]!);
      // Slack has one level of quote, so nested quotes are flattened into it.
      for (const quoted of convertBlocks(inner)) out.push(quoted.startsWith("> ") ? quoted : `> ${quoted}`);
    } else if (setextUnderline.test(lines[i + 1] ?? "") && isParagraph(line)) {
      out.push(heading(line));
      i += 2;
    } else {
      out.push(convertLine(line));
      i++;
    }
  }
  return out;
}

/** Copies a fenced block's lines, escaped but otherwise untouched; returns the index after its fence. */
function codeBlock(lines: readonly string[], start: number, marker: string, out: string[]): number {
  out.push("```"); // Slack ignores a language, and would show it as the code's first word.
  let i = start;
  for (; i < lines.length; i++) {
    const close = fenceClose.exec(lines[i]!);
    if (close && close[1]![0] === marker[0] && close[1]!.length >= marker.length) break;
    out.push(escape(lines[i]!));
  }
  out.push("```");
  return i + 1;
}

function isParagraph(line: string): boolean {
  return line.trim() !== "" && ![atxHeading, rule, bullet, ordered, quote, fenceOpen].some((re) => re.test(line));
}

const heading = (text: string): string => (text.trim() ? `*${inline(text.trim(), "bold")}*` : "");

function convertLine(line: string): string {
  const title = atxHeading.exec(line);
  if (title) return heading(title[1]!);
  if (rule.test(line)) return divider;
  const item = bullet.exec(line);
  if (item) {
    const [indent, text] = [item[1]!, item[2]!];
    const task = taskBox.exec(text);
    const box = task ? (task[1] === " " ? "☐ " : "☑ ") : "";
    return `${indent}• ${box}${inline(task ? text.slice(task[0].length) : text, "mrkdwn")}`;
  }
  const numbered = ordered.exec(line);
  if (numbered) return numbered[1]! + inline(numbered[2]!, "mrkdwn");
  return inline(line, "mrkdwn");
}

/** Where the code span that opens at `i` ends (after its closing backticks), or -1 if it never closes. */
function codeSpanEnd(text: string, i: number): number {
  const run = sameRun(text, i);
  for (let k = text.indexOf("`", i + run); k >= 0; k = text.indexOf("`", k + sameRun(text, k))) {
    if (sameRun(text, k) === run) return k + run;
  }
  return -1;
}

/** Length of the run of one character starting at `i`. */
function sameRun(text: string, i: number): number {
  let n = 1;
  while (text[i + n] === text[i]) n++;
  return n;
}

type Link = { label: string; url: string; end: number };

/** A `[label](url)` or `![alt](url)` starting at `i`. */
function linkAt(text: string, i: number): Link | undefined {
  const open = text[i] === "!" ? i + 1 : i;
  if (text[open] !== "[") return undefined;
  let depth = 0;
  let k = open;
  for (; k < text.length && k - open < maxLabel; k++) {
    const ch = text[k];
    if (ch === "\\") k++;
    else if (ch === "`" && codeSpanEnd(text, k) > 0) k = codeSpanEnd(text, k) - 1;
    else if (ch === "[") depth++;
    else if (ch === "]" && --depth === 0) break;
  }
  linkDestination.lastIndex = k + 1;
  const m = depth === 0 ? linkDestination.exec(text) : null; // 0 only when the label closed
  if (!m) return undefined;
  const url = (m[1] ?? m[2] ?? "").replace(/\\([!-/:-@[-`{-~])/g, "$1");
  return { label: text.slice(open + 1, k), url, end: linkDestination.lastIndex };
}

/** An autolink at `i`; an email address links as mailto. */
function autolinkAt(text: string, i: number): Link | undefined {
  autolink.lastIndex = i;
  const m = autolink.exec(text);
  if (!m) return undefined;
  const end = autolink.lastIndex;
  return m[3] ? { url: `mailto:${m[3]}`, label: m[3], end } : { url: m[1]!, label: m[2] ?? "", end };
}

/** A bare URL at `i`, without the sentence punctuation that follows it. */
function bareUrlAt(text: string, i: number): string | undefined {
  if (!"hf".includes(text[i]!) || (i > 0 && wordChar.test(text[i - 1]!))) return undefined;
  bareUrl.lastIndex = i;
  let url = bareUrl.exec(text)?.[0];
  while (url && `.,;:!?'"*_~]`.includes(url[url.length - 1]!)) url = url.slice(0, -1);
  return url && url.length > url.indexOf("//") + 2 ? url : undefined;
}

/** End of a span whose insides are never emphasis (code, a link, a URL) starting at `i`, or -1. */
function atomEnd(text: string, i: number): number {
  const ch = text[i];
  if (ch === "`") return codeSpanEnd(text, i);
  if (ch === "[" || ch === "!") return linkAt(text, i)?.end ?? -1;
  if (ch === "<") return autolinkAt(text, i)?.end ?? -1;
  const url = bareUrlAt(text, i);
  return url ? i + url.length : -1;
}

/** A closing delimiter for an emphasis that opened just before `from`, or -1. */
function closerFor(text: string, from: number, delimiter: string): number {
  for (let k = from; k < text.length; ) {
    const atom = text[k] === "\\" ? k + 2 : atomEnd(text, k);
    if (atom > k) k = atom;
    else if (text[k] !== delimiter[0]) k++;
    else {
      const run = sameRun(text, k);
      // A closer touches the text before it; an underscore closer can't be followed by a letter.
      const closes = !/\s/.test(text[k - 1]!) && !(delimiter[0] === "_" && wordChar.test(text[k + run] ?? ""));
      if (run === delimiter.length && k > from && closes) return k;
      k += run;
    }
  }
  return -1;
}

function slackLink(url: string, label: string): string {
  const target = escape(url).replace(/\|/g, "%7C").replace(/ /g, "%20");
  return label && label !== url ? `<${target}|${escape(label)}>` : `<${target}>`;
}

const plainLink = (url: string, label: string): string =>
  label && label !== url && `mailto:${label}` !== url ? `${label} (${url})` : label || url;

function inline(text: string, mode: InlineMode): string {
  const literal = mode === "plain" ? (s: string) => s : escape;
  const exhausted = new Set<string>(); // delimiters with no closer left: later openers can't close either
  let out = "";
  let i = 0;
  let link: Link | undefined;
  let url: string | undefined;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "\\" && asciiPunctuation.test(text[i + 1] ?? "")) {
      out += literal(text[i + 1]!);
      i += 2;
    } else if (ch === "`") {
      const end = codeSpanEnd(text, i);
      const run = sameRun(text, i);
      if (end < 0) out += ch.repeat(run);
      else if (mode !== "plain") out += escape(text.slice(i, end));
      else out += text.slice(i + run, end - run).replace(/^ (.*) $/s, "$1");
      i = end < 0 ? i + run : end;
    } else if ((link = ch === "<" ? autolinkAt(text, i) : linkAt(text, i))) {
      const label = inline(link.label, "plain");
      if (!link.url) out += inline(link.label, mode);
      else out += mode === "plain" ? plainLink(link.url, label) : slackLink(link.url, label);
      i = link.end;
    } else if ((url = bareUrlAt(text, i))) {
      out += literal(url); // Slack links bare URLs itself.
      i += url.length;
    } else if (ch === "*" || ch === "_" || ch === "~") {
      const run = sameRun(text, i);
      const emphasis = emphasisAt(text, i, run, mode, exhausted);
      out += emphasis ? emphasis.out : literal(ch.repeat(run));
      i = emphasis ? emphasis.end : i + run;
    } else {
      out += literal(ch);
      i++;
    }
  }
  return out;
}

/** `**bold**`, `__bold__`, `*italic*`, `_italic_`, `***both***` or `~~strike~~` opening at `i`. */
function emphasisAt(text: string, i: number, run: number, mode: InlineMode, exhausted: Set<string>) {
  const ch = text[i]!;
  if (ch === "~" ? run !== 2 : run > 3) return undefined;
  const delimiter = ch.repeat(run);
  const next = text[i + run] ?? " ";
  if (exhausted.has(delimiter) || /\s/.test(next)) return undefined;
  if (ch === "_" && i > 0 && wordChar.test(text[i - 1]!)) return undefined; // snake_case_name is one word
  const close = closerFor(text, i + run, delimiter);
  if (close < 0) {
    exhausted.add(delimiter);
    return undefined;
  }
  const end = close + run;
  const inner = text.slice(i + run, close);
  if (mode === "plain") return { out: inline(inner, "plain"), end };
  if (ch === "~") return { out: `~${inline(inner, mode)}~`, end };
  if (run === 1) return { out: `_${inline(inner, mode)}_`, end };
  const bold = inline(inner, "bold"); // a line that is already bold can't nest Slack's *bold*
  const body = run === 3 ? `_${bold}_` : bold;
  return { out: mode === "bold" ? body : `*${body}*`, end };
}
