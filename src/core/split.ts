/**
 * Splits a reply into chunks no longer than a platform's limit. It breaks between lines (long
 * lines at a word boundary) and never cuts inside a fenced code block: a block that must be cut
 * is closed at the end of one chunk and reopened, with its language, at the start of the next.
 */

const fenceLine = /^\s*(```|~~~)(.*)$/;

interface OpenFence {
  marker: string;
  header: string;
}

export function splitText(text: string, limit: number): string[] {
  if (!Number.isFinite(limit) || text.length <= limit) return text.trim() ? [text] : [];
  const chunks: string[] = [];
  let lines: string[] = [];
  let length = 0; // length of lines.join("\n")
  let open: OpenFence | undefined;
  let bodyLines = 0; // lines added since the chunk began, not counting a reopened fence header

  const closing = () => (open ? 1 + open.marker.length : 0);
  const flush = () => {
    if (open && bodyLines > 1 && lines[lines.length - 1] === open.header) {
      // A block that opens on the chunk's last line moves whole to the next chunk.
      lines.pop();
      chunks.push(lines.join("\n"));
      bodyLines = 0;
    }
    if (bodyLines > 0) chunks.push([...lines, ...(open ? [open.marker] : [])].join("\n"));
    lines = open ? [open.header] : [];
    length = open ? open.header.length : 0;
    bodyLines = 0;
  };
  const add = (line: string) => {
    length += (lines.length ? 1 : 0) + line.length;
    lines.push(line);
    bodyLines++;
  };

  for (const line of text.split("\n")) {
    let rest = line;
    const fence = fenceLine.exec(line);
    const opens = fence !== null && open === undefined;
    const closes = fence !== null && open !== undefined && fence[1] === open.marker && fence[2]!.trim() === "";
    // Room to keep for the closing marker this chunk will need once the line is in.
    const reserve = () => (opens ? 1 + fence[1]!.length : closes ? 0 : closing());
    const projected = () => length + (lines.length ? 1 : 0) + rest.length + reserve();
    if (projected() > limit && bodyLines > 0) flush();
    // A line longer than a whole chunk is cut at a word boundary, or hard-cut as a last resort.
    while (projected() > limit) {
      const room = Math.max(1, limit - length - (lines.length ? 1 : 0) - reserve());
      const cut = cutPoint(rest, room);
      add(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
      flush();
    }
    add(rest);
    if (opens) open = { marker: fence[1]!, header: line.trim() };
    else if (closes) open = undefined;
  }
  flush();
  return chunks.map((c) => c.replace(/^\n+|\n+$/g, "")).filter((c) => c.trim().length > 0);
}

function cutPoint(text: string, max: number): number {
  const space = text.lastIndexOf(" ", max);
  return space > max / 2 ? space + 1 : max;
}
