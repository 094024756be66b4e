/**
 * Finds `@name` in a GitHub comment the way GitHub itself links mentions: only in prose, never in
 * code (fenced, indented or inline), block quotes or HTML comments, and never as part of a longer
 * login, an email address or a team. Also returns the comment without those mentions, which is
 * what the agent is asked; quoted context and code stay as written.
 *
 * This is a small Markdown block scanner, not a full CommonMark parser: it knows just enough about
 * lists, fences and paragraphs to tell prose from code. Pure, no dependencies.
 */

export interface MentionResult {
  /** Whether `@name` appears in prose, where GitHub would link it. */
  mentioned: boolean;
  /** The body without those mentions, line endings normalized and the gaps they left tidied. */
  text: string;
}

interface Span {
  start: number;
  end: number;
}

interface Line extends Span {
  text: string;
}

/** Finds mentions of the login `name` (case-insensitive, a leading `@` is ignored) in `body`. */
export function findMention(body: string, name: string): MentionResult {
  const source = body.replace(/\r\n?/g, "\n");
  const login = name.replace(/^@/, "").toLowerCase();
  const mentions = login === "" ? [] : proseSpans(source).flatMap((span) => mentionsIn(source, span, login));
  return { mentioned: mentions.length > 0, text: removeMentions(source, mentions) };
}

// --- Blocks: which parts of the body are prose -------------------------------------------------

const LIST_ITEM = /^(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
const HEADING = /^#{1,6}(?:[ \t]|$)/;

function splitLines(source: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const text of source.split("\n")) {
    lines.push({ start, end: start + text.length, text });
    start += text.length + 1;
  }
  return lines;
}

/** Leading whitespace of a line: its width in columns (tab stops of 4) and in characters. */
function leading(text: string): { columns: number; chars: number } {
  let columns = 0;
  let chars = 0;
  for (; chars < text.length; chars++) {
    if (text[chars] === " ") columns++;
    else if (text[chars] === "\t") columns += 4 - (columns % 4);
    else break;
  }
  return { columns, chars };
}

/**
 * The runs of the body that Markdown renders as inline text: paragraphs, headings, list items.
 * Each run is scanned separately, because code spans and inline comments never cross blocks.
 */
function proseSpans(source: string): Span[] {
  const lines = splitLines(source);
  const spans: Span[] = [];
  let fence: { char: string; length: number; maxIndent: number } | undefined;
  let paragraph: Span | undefined;
  let previous: "blank" | "paragraph" | "other" = "blank";
  // The content column of the list item we are in: its indented code needs 4 more columns.
  let listIndent = 0;
  const endParagraph = () => {
    if (paragraph) spans.push(paragraph);
    paragraph = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence) {
      const { columns, chars } = leading(line.text);
      const rest = line.text.slice(chars).trimEnd();
      const closes = columns <= fence.maxIndent && rest.length >= fence.length && [...rest].every((c) => c === fence!.char);
      if (closes) fence = undefined;
      continue;
    }
    if (line.text.trim() === "") {
      endParagraph();
      previous = "blank";
      continue;
    }
    const { columns, chars } = leading(line.text);
    // An indented code block cannot interrupt a paragraph; after one, the indent is a continuation.
    if (previous !== "paragraph" && columns >= listIndent + 4) {
      previous = "other";
      continue;
    }
    const item = THEMATIC_BREAK.test(line.text) ? null : LIST_ITEM.exec(line.text.slice(chars));
    if (!item && previous === "blank" && columns < listIndent) listIndent = 0; // the list has ended
    const startsBlock = item !== null || columns <= listIndent + 3;
    let contentAt = chars;
    if (item) {
      endParagraph();
      const markerWidth = item[0].trimEnd().length;
      const gap = item[0].length - markerWidth;
      listIndent = columns + markerWidth + (gap >= 1 && gap <= 4 ? gap : 1);
      contentAt = chars + item[0].length;
    }
    const content = line.text.slice(contentAt);
    const open = startsBlock ? FENCE_OPEN.exec(content) : null;
    if (open && !(open[1]!.startsWith("`") && open[2]!.includes("`"))) {
      endParagraph();
      fence = { char: open[1]![0]!, length: open[1]!.length, maxIndent: listIndent + 3 };
      previous = "other";
      continue;
    }
    if (startsBlock && content.startsWith(">")) {
      endParagraph();
      previous = "other";
      continue;
    }
    if (startsBlock && content.startsWith("<!--")) {
      // An HTML comment block runs to the line holding `-->`, or to the end if it is never closed.
      endParagraph();
      const close = source.indexOf("-->", line.start + contentAt + 2);
      if (close < 0) return spans;
      while (lines[i]!.end < close) i++;
      const after = close + 3;
      if (after < lines[i]!.end) spans.push({ start: after, end: lines[i]!.end });
      previous = "other";
      continue;
    }
    if (startsBlock && (HEADING.test(content) || THEMATIC_BREAK.test(line.text))) {
      endParagraph();
      spans.push({ start: line.start + contentAt, end: line.end });
      previous = "other";
      continue;
    }
    if (paragraph) paragraph.end = line.end;
    else paragraph = { start: line.start + contentAt, end: line.end };
    previous = "paragraph";
  }
  endParagraph();
  return spans;
}

// --- Inline: mentions in prose, skipping code spans, comments and URLs --------------------------

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD_CHAR = /[A-Za-z0-9_]/;
const LOGIN = /[A-Za-z0-9][A-Za-z0-9-]*/y;
const URL_START = /(?:https?:\/\/|www\.)[^\s<]*/iy;

function runLength(source: string, at: number, end: number): number {
  let n = 0;
  while (at + n < end && source[at + n] === "`") n++;
  return n;
}

/** The start of the next backtick run of exactly `length` in [from, end), or -1. */
function closingRun(source: string, from: number, end: number, length: number): number {
  for (let i = from; i < end; ) {
    if (source[i] !== "`") {
      i++;
      continue;
    }
    const n = runLength(source, i, end);
    if (n === length) return i;
    i += n;
  }
  return -1;
}

/**
 * The login written after the `@` at `at`, if GitHub would read it as a user mention: not glued to
 * a preceding word (`foo@name.com`), not a team (`@org/team`), not continued by `_` or `.word`.
 */
function loginAt(source: string, at: number, end: number): string | undefined {
  if (at > 0 && WORD_CHAR.test(source[at - 1]!)) return undefined;
  LOGIN.lastIndex = at + 1;
  const login = LOGIN.exec(source)?.[0];
  if (login === undefined || at + 1 + login.length > end) return undefined;
  let next = at + 1 + login.length;
  if (source[next] === "/" || source[next] === "_") return undefined;
  while (source[next] === ".") next++;
  if (next > at + 1 + login.length && next < end && WORD_CHAR.test(source[next]!)) return undefined;
  return login;
}

function mentionsIn(source: string, span: Span, login: string): Span[] {
  const found: Span[] = [];
  // Once no `-->` follows, none follows any later `<!--` either: remembering it keeps this linear.
  let commentsCanClose = true;
  let i = span.start;
  while (i < span.end) {
    const c = source[i]!;
    if (c === "\\") {
      // `\@name` and `` \` `` are escaped, literal characters.
      i += i + 1 < span.end && ASCII_PUNCTUATION.test(source[i + 1]!) ? 2 : 1;
      continue;
    }
    if (c === "`") {
      const run = runLength(source, i, span.end);
      const close = closingRun(source, i + run, span.end, run);
      i = close < 0 ? i + run : close + run;
      continue;
    }
    if (c === "<" && commentsCanClose && source.startsWith("<!--", i)) {
      // From i + 2 so that the degenerate `<!-->` and `<!--->` count as comments, as in CommonMark.
      const close = source.indexOf("-->", i + 2);
      if (close >= 0 && close + 3 <= span.end) {
        i = close + 3;
        continue;
      }
      commentsCanClose = false;
    }
    if ((c === "h" || c === "H" || c === "w" || c === "W") && (i === 0 || !WORD_CHAR.test(source[i - 1]!))) {
      URL_START.lastIndex = i;
      const url = URL_START.exec(source);
      if (url) {
        i += url[0].length;
        continue;
      }
    }
    if (c === "@") {
      const written = loginAt(source, i, span.end);
      if (written !== undefined && written.toLowerCase() === login) found.push({ start: i, end: i + 1 + written.length });
      i += 1 + (written?.length ?? 0);
      continue;
    }
    i++;
  }
  return found;
}

// --- Removing mentions and tidying the gaps -----------------------------------------------------

const CLOSING_PUNCTUATION = /[,.;:!?)\]}]/;
const isBlank = (c: string | undefined) => c === " " || c === "\t";

/** Removes [from, to) from a line, closing the gap so no double space or dangling space is left. */
function cutFromLine(line: string, from: number, to: number): string {
  const before = line.slice(0, from);
  const atStart = before.trim() === "";
  let end = to;
  if (atStart && (line[end] === ":" || line[end] === ",")) end++; // "@name: do this" → "do this"
  let left = from;
  while (left > 0 && isBlank(line[left - 1])) left--;
  let right = end;
  while (right < line.length && isBlank(line[right])) right++;
  if (atStart) return before + line.slice(right);
  if (right === line.length) return line.slice(0, left);
  if (CLOSING_PUNCTUATION.test(line[end]!)) return line.slice(0, left) + line.slice(end); // "Hi @name, x" → "Hi, x"
  return before + line.slice(right);
}

function removeMentions(source: string, mentions: Span[]): string {
  const kept: string[] = [];
  let squeezeBlank = false;
  let next = 0; // mentions come in body order, and none spans two lines
  for (const line of splitLines(source)) {
    let text = line.text;
    const here: Span[] = [];
    while (next < mentions.length && mentions[next]!.end <= line.end) here.unshift(mentions[next++]!);
    for (const m of here) text = cutFromLine(text, m.start - line.start, m.end - line.start);
    const blank = text.trim() === "";
    if (here.length > 0 && blank) {
      squeezeBlank = true; // a line that was only a mention goes, with no double blank line left
      continue;
    }
    if (squeezeBlank && blank && (kept.length === 0 || kept[kept.length - 1]!.trim() === "")) continue;
    squeezeBlank = false;
    kept.push(text);
  }
  const text = kept.join("\n").trimEnd().replace(/^(?:[ \t]*\n)+/, "");
  // Keep the indent of a leading indented code block; any other leading space is insignificant.
  return leading(text).columns >= 4 ? text : text.trimStart();
}
