/**
 * Markdown → Discord's markdown. Discord renders most of what agents write (bold, italics, code,
 * fences, masked links, lists, quotes, `#`–`###` headings), so the text passes through almost
 * unchanged. Only what Discord would show as raw symbols is rewritten: deeper headings become
 * bold lines and images become links. Nothing here makes a chunk longer, so a chunk the core
 * split at 2,000 characters still fits. Pings are prevented by `allowed_mentions`, not here.
 */

const fence = /^\s*(```|~~~)/;

export function markdownToDiscord(markdown: string): string {
  let inFence = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (fence.test(line)) {
        inFence = !inFence;
        return line;
      }
      return inFence ? line : formatLine(line);
    })
    .join("\n");
}

function formatLine(line: string): string {
  // Discord has three heading levels; "#### Title" would show its hashes.
  const deep = /^\s{0,3}#{4,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (deep) return deep[1] ? `**${deep[1]}**` : "";
  return outsideInlineCode(line, (text) => text.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_whole, alt: string, url: string) => (alt ? `[${alt}](${url})` : url)));
}

/** Apply `rewrite` to the parts of a line that are not `inline code`. */
function outsideInlineCode(line: string, rewrite: (text: string) => string): string {
  return line
    .split(/(`+[^`]*`+)/)
    .map((part, index) => (index % 2 === 1 ? part : rewrite(part)))
    .join("");
}
