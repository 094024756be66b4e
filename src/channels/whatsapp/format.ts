/**
 * Renders the agent's markdown in WhatsApp's own formatting: *bold*, _italic_, ~strike~,
 * ```monospace``` blocks and `inline code`, "- " lists and "> " quotes. Links become "text (url)"
 * because WhatsApp has no link syntax (it previews bare URLs itself). The result is never longer
 * than the input, so a chunk the core split at 4,096 characters still fits after formatting.
 */

const fence = /^\s*(`{3,}|~{3,})(.*)$/;
const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const rule = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const bullet = /^([ \t]*)[*+][ \t]+(.*)$/;
// A placeholder for bold markers, so the italic pass does not read them as its own `*`.
const BOLD = "\u0001";

/** Converts markdown into WhatsApp-formatted text, ready to send as a text message's body. */
export function markdownToWhatsApp(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = fence.exec(line);
    if (open) {
      // Code keeps its characters exactly; the language tag has no meaning on WhatsApp.
      const marker = open[1]!;
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j]!.trim().startsWith(marker)) body.push(lines[j++]!);
      out.push("```", ...body, "```");
      i = j;
      continue;
    }
    out.push(convertLine(line));
  }
  return out.join("\n");
}

function convertLine(line: string): string {
  if (rule.test(line)) return "———";
  const h = heading.exec(line);
  if (h) return h[1] ? `*${stripEmphasis(inline(h[1]))}*` : "";
  const b = bullet.exec(line);
  if (b) return `${b[1]}- ${inline(b[2]!)}`;
  return inline(line);
}

/** Inline markdown outside code spans; code spans are kept as WhatsApp's own `inline code`. */
function inline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : emphasis(links(part))))
    .join("");
}

function links(text: string): string {
  return text.replace(/!?\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (_all, label: string, url: string) =>
    !label || label === url || `mailto:${label}` === url ? url : `${label} (${url})`,
  );
}

function emphasis(text: string): string {
  return text
    .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, `${BOLD}$1${BOLD}`)
    .replace(/(?<![\w_])__(?=\S)([^\n]*?\S)__(?![\w_])/g, `${BOLD}$1${BOLD}`)
    .replace(/(?<![*\w])\*(?=[^\s*])([^*\n]*?[^\s*])?\*(?![*\w])/g, (all, inner: string | undefined) => (inner === undefined ? all : `_${inner}_`))
    .replace(/~~(?=\S)([^\n]*?\S)~~/g, "~$1~")
    .replaceAll(BOLD, "*");
}

/** A heading is made bold as a whole; bold inside it would end that early. */
function stripEmphasis(text: string): string {
  return text.replace(/\*([^*\n]+)\*/g, "$1");
}
