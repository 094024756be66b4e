/**
 * How each piece of markdown is written in Telegram's two markups. MarkdownV2 escapes every
 * reserved character outside entities, only ` and \ inside code, and only ) and \ inside a link
 * target (https://core.telegram.org/bots/api#markdownv2-style). HTML escapes <, > and &.
 */

export interface Dialect {
  /** Plain text, escaped. */
  text(plain: string): string;
  code(code: string): string;
  pre(language: string, code: string): string;
  bold(inner: string): string;
  italic(inner: string): string;
  strike(inner: string): string;
  link(inner: string, url: string): string;
  /** Consecutive quoted lines, each already rendered. */
  quote(lines: string[]): string;
  /** Put between two italic spans that touch (MarkdownV2 would read `__` as underline). */
  italicSeparator: string;
}

/** The characters MarkdownV2 reserves outside entities. */
export const MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!\\";

const reserved = /[_*[\]()~`>#+\-=|{}.!\\]/g;

export function escapeMarkdownV2(text: string): string {
  return text.replace(reserved, "\\$&");
}

function escapeCode(code: string): string {
  return code.replace(/[`\\]/g, "\\$&");
}

/** A link target: only ) and \ are escaped; a target Telegram would refuse becomes plain text. */
function safeUrl(url: string): string | undefined {
  return /^(https?:\/\/|tg:\/\/|mailto:)/i.test(url) ? url : undefined;
}

export const markdownV2Dialect: Dialect = {
  text: escapeMarkdownV2,
  code: (code) => `\`${escapeCode(code)}\``,
  pre: (language, code) => `\`\`\`${language}\n${escapeCode(code)}\n\`\`\``,
  bold: (inner) => `*${inner}*`,
  italic: (inner) => `_${inner}_`,
  strike: (inner) => `~${inner}~`,
  link: (inner, url) => {
    const target = safeUrl(url);
    return target ? `[${inner}](${target.replace(/[)\\]/g, "\\$&")})` : `${inner} \\(${escapeMarkdownV2(url)}\\)`;
  },
  quote: (lines) => lines.map((line) => `>${line}`).join("\n"),
  // A carriage return: Telegram ignores it, and it ends the `__` ambiguity (its documented fix).
  italicSeparator: "\r",
};

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export const htmlDialect: Dialect = {
  text: escapeHtml,
  code: (code) => `<code>${escapeHtml(code)}</code>`,
  pre: (language, code) => (language ? `<pre><code class="language-${escapeHtml(language)}">${escapeHtml(code)}</code></pre>` : `<pre>${escapeHtml(code)}</pre>`),
  bold: (inner) => `<b>${inner}</b>`,
  italic: (inner) => `<i>${inner}</i>`,
  strike: (inner) => `<s>${inner}</s>`,
  link: (inner, url) => {
    const target = safeUrl(url);
    return target ? `<a href="${escapeHtml(target).replace(/"/g, "&quot;")}">${inner}</a>` : `${inner} (${escapeHtml(url)})`;
  },
  quote: (lines) => `<blockquote>${lines.join("\n")}</blockquote>`,
  italicSeparator: "",
};
