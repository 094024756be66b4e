/**
 * Markdown (GFM) tables for Slack. mrkdwn has no tables, so a table is drawn as aligned monospace
 * text for a ``` block: every column padded to its widest cell, the header underlined with dashes.
 */

type Align = "left" | "right" | "center";

export interface MarkdownTable {
  header: string[];
  aligns: Align[];
  body: string[][];
  /** Index of the first line after the table. */
  end: number;
}

const delimiterCell = /^\s*(:?)-+(:?)\s*$/;

/** Cells of one row: outer pipes dropped, split on pipes that are neither escaped nor in code. */
function splitRow(line: string): string[] {
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  if (text.endsWith("|") && !text.endsWith("\\|")) text = text.slice(0, -1);
  const cells: string[] = [];
  let cell = "";
  let tick = 0; // length of the backtick run that opened the code span we are in, 0 outside code
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && text[i + 1] === "|") {
      cell += "|";
      i++;
    } else if (ch === "`") {
      let run = 1;
      while (text[i + run] === "`") run++;
      if (tick === 0) tick = run;
      else if (tick === run) tick = 0;
      cell += "`".repeat(run);
      i += run - 1;
    } else if (ch === "|" && tick === 0) {
      cells.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/** The table that starts at `lines[start]` (a header row, then a delimiter row), if there is one. */
export function tableAt(lines: readonly string[], start: number): MarkdownTable | undefined {
  const headerLine = lines[start];
  const delimiterLine = lines[start + 1];
  if (headerLine === undefined || delimiterLine === undefined) return undefined;
  if (!headerLine.includes("|")) return undefined;
  const delimiters = splitRow(delimiterLine);
  const header = splitRow(headerLine);
  if (header.length !== delimiters.length || !delimiters.every((cell) => delimiterCell.test(cell))) return undefined;
  const aligns = delimiters.map((cell): Align => {
    const [, left, right] = delimiterCell.exec(cell)!;
    if (left && right) return "center";
    return right ? "right" : "left";
  });
  const body: string[][] = [];
  let end = start + 2;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (line.trim() === "" || !line.includes("|")) break;
    const cells = splitRow(line).slice(0, header.length);
    while (cells.length < header.length) cells.push("");
    body.push(cells);
  }
  return { header, aligns, body, end };
}

// East Asian wide and fullwidth characters and emoji take two columns in a monospace font.
const wide = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}\p{Emoji_Presentation}]/u;
const zeroWidth = /[\p{M}\u200B-\u200F]/u; // combining marks, variation selectors, zero-width joiners

/** How many monospace columns a string occupies. */
function displayWidth(text: string): number {
  let width = 0;
  let last = 0;
  let joined = false; // the character after a zero-width joiner is drawn into the emoji before it
  for (const ch of text) {
    // U+FE0F asks for the emoji form of the character before it (⚠️), which is two columns wide.
    const w = joined ? 0 : ch === "\uFE0F" ? (last === 1 ? 1 : 0) : zeroWidth.test(ch) ? 0 : wide.test(ch) ? 2 : 1;
    joined = ch === "\u200D";
    last = w;
    width += w;
  }
  return width;
}

function pad(text: string, width: number, align: Align): string {
  const gap = width - displayWidth(text);
  if (align === "right") return " ".repeat(gap) + text;
  if (align === "center") return " ".repeat(Math.floor(gap / 2)) + text + " ".repeat(Math.ceil(gap / 2));
  return text + " ".repeat(gap);
}

/**
 * The table's lines as plain monospace text (not yet escaped for Slack, and without the fence).
 * `cellText` turns a cell's inline markdown into the plain text a code block can show.
 */
export function renderTable(table: MarkdownTable, cellText: (cell: string) => string): string[] {
  const rows = [table.header, ...table.body].map((row) => row.map(cellText));
  const widths = table.header.map((_, column) =>
    Math.max(1, ...rows.map((row) => displayWidth(row[column] ?? ""))),
  );
  const line = (row: string[]) =>
    row.map((cell, column) => pad(cell, widths[column]!, table.aligns[column]!)).join(" | ").trimEnd();
  const [header, ...body] = rows;
  return [line(header!), widths.map((width) => "-".repeat(width)).join("-|-"), ...body.map(line)];
}
