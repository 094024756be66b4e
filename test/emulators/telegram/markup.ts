/**
 * Telegram's parse modes, validated as strictly as the real Bot API (modelled on TDLib's
 * parse_markdown_v2 and HTML parser): text that Telegram would refuse with
 * "Bad Request: can't parse entities: …" is refused here with the same words, so an escaping
 * bug in the channel fails a test instead of a user's reply.
 */

export interface Entity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export type Parsed = { ok: true; text: string; entities: Entity[] } | { ok: false; error: string };

const entityNames: Record<string, string> = {
  bold: "Bold",
  italic: "Italic",
  underline: "Underline",
  strikethrough: "Strikethrough",
  spoiler: "Spoiler",
  code: "Code",
  pre: "Pre",
  text_link: "TextUrl",
  blockquote: "BlockQuote",
};

const reservedChars = "_*[]()~`>#+-=|{}.!";

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), "utf8");
}

function refuse(reason: string): Parsed {
  return { ok: false, error: `Bad Request: can't parse entities: ${reason}` };
}

interface Open {
  type: string;
  offset: number;
  at: number;
  language?: string;
}

export function parseMarkdownV2(source: string): Parsed {
  let text = "";
  const entities: Entity[] = [];
  const stack: Open[] = [];
  let quote: { offset: number } | undefined;
  const closeQuote = () => {
    if (quote && text.length > quote.offset) entities.push({ type: "blockquote", offset: quote.offset, length: text.length - quote.offset });
    quote = undefined;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    const top = stack.at(-1);
    const lineStart = i === 0 || source[i - 1] === "\n";
    if (lineStart && quote && c !== ">" && top?.type !== "pre") closeQuote();
    if (c === "\\" && next !== undefined && next.charCodeAt(0) >= 1 && next.charCodeAt(0) <= 126) {
      text += next;
      i += 2;
      continue;
    }
    if (c === "\r") {
      i++;
      continue;
    }
    if (top && (top.type === "code" || top.type === "pre")) {
      if (c === "\\") return refuse(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      if (c !== "`") {
        text += c;
        i++;
        continue;
      }
      if (top.type === "pre" && !source.startsWith("```", i)) return refuse(`Character '\`' is reserved and must be escaped with the preceding '\\'`);
      stack.pop();
      if (text.length > top.offset) entities.push({ type: top.type, offset: top.offset, length: text.length - top.offset, ...(top.language ? { language: top.language } : {}) });
      i += top.type === "pre" ? 3 : 1;
      continue;
    }
    if (!reservedChars.includes(c) && c !== "\\") {
      text += c;
      i++;
      continue;
    }
    if (c === ">" && lineStart) {
      if (!quote) quote = { offset: text.length };
      i++;
      continue;
    }
    const ends =
      top !== undefined &&
      ((top.type === "bold" && c === "*") ||
        (top.type === "italic" && c === "_" && next !== "_") ||
        (top.type === "underline" && c === "_" && next === "_") ||
        (top.type === "strikethrough" && c === "~") ||
        (top.type === "spoiler" && c === "|" && next === "|") ||
        (top.type === "text_link" && c === "]"));
    if (ends) {
      stack.pop();
      i += top.type === "underline" || top.type === "spoiler" ? 2 : 1;
      let url: string | undefined;
      if (top.type === "text_link") {
        if (source[i] !== "(") return refuse(`Can't find end of a URL at byte offset ${byteOffset(source, i)}`);
        url = "";
        i++;
        while (i < source.length && source[i] !== ")") {
          if (source[i] === "\\" && i + 1 < source.length) i++;
          url += source[i];
          i++;
        }
        if (i >= source.length) return refuse(`Can't find end of a URL at byte offset ${byteOffset(source, top.at)}`);
        i++;
        if (!/^(https?:\/\/|tg:\/\/|mailto:)\S+$/i.test(url)) return refuse(`Wrong HTTP URL`);
      }
      if (text.length > top.offset) entities.push({ type: top.type, offset: top.offset, length: text.length - top.offset, ...(url !== undefined ? { url } : {}) });
      continue;
    }
    const at = i;
    let type: string;
    let language: string | undefined;
    if (c === "_" && next === "_") [type, i] = ["underline", i + 2];
    else if (c === "_") [type, i] = ["italic", i + 1];
    else if (c === "*") [type, i] = ["bold", i + 1];
    else if (c === "~") [type, i] = ["strikethrough", i + 1];
    else if (c === "|" && next === "|") [type, i] = ["spoiler", i + 2];
    else if (c === "[") [type, i] = ["text_link", i + 1];
    else if (c === "`" && source.startsWith("```", i)) {
      type = "pre";
      i += 3;
      const newline = source.indexOf("\n", i);
      const header = newline < 0 ? "" : source.slice(i, newline);
      if (newline >= 0 && /^[\w+#.-]+$/.test(header)) {
        language = header;
        i = newline + 1;
      } else if (source[i] === "\n") i++;
    } else if (c === "`") [type, i] = ["code", i + 1];
    else return refuse(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    if (stack.some((open) => open.type === type)) return refuse(`Can't find end of ${entityNames[type]} entity at byte offset ${byteOffset(source, stack.find((o) => o.type === type)!.at)}`);
    stack.push({ type, offset: text.length, at, ...(language ? { language } : {}) });
  }
  const unclosed = stack[0];
  if (unclosed) return refuse(`Can't find end of ${entityNames[unclosed.type]} entity at byte offset ${byteOffset(source, unclosed.at)}`);
  closeQuote();
  return { ok: true, text, entities: entities.sort((a, b) => a.offset - b.offset) };
}

const htmlTags: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
};

const namedEntities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

export function parseHtml(source: string): Parsed {
  let text = "";
  const entities: Entity[] = [];
  const stack: Array<{ tag: string; offset: number; url?: string; language?: string }> = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "&") {
      const m = /^&(#x[0-9a-f]+|#\d+|[a-z]+);/i.exec(source.slice(i));
      const name = m?.[1];
      if (name !== undefined && (name.startsWith("#") || namedEntities[name.toLowerCase()] !== undefined)) {
        text += name.startsWith("#x") ? String.fromCodePoint(parseInt(name.slice(2), 16)) : name.startsWith("#") ? String.fromCodePoint(Number(name.slice(1))) : namedEntities[name.toLowerCase()];
        i += m![0].length;
      } else {
        text += c;
        i++;
      }
      continue;
    }
    if (c !== "<") {
      text += c;
      i++;
      continue;
    }
    const tag = /^<(\/?)([a-z-]*)((?:\s+[a-z-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))*)\s*>/i.exec(source.slice(i));
    if (!tag) return refuse(`Unsupported start tag "${/^<\/?([a-z-]*)/i.exec(source.slice(i))?.[1] ?? ""}" at byte offset ${byteOffset(source, i)}`);
    const [whole, closing, rawName, attrs] = tag;
    const name = rawName!.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (!open) return refuse(`Unexpected end tag at byte offset ${byteOffset(source, i)}`);
      if (open.tag !== name) return refuse(`Unmatched end tag at byte offset ${byteOffset(source, i)}, expected "</${open.tag}>", found "</${name}>"`);
      const type = htmlTags[open.tag]!;
      if (text.length > open.offset && !(open.tag === "code" && stack.at(-1)?.tag === "pre")) {
        entities.push({ type, offset: open.offset, length: text.length - open.offset, ...(open.url ? { url: open.url } : {}), ...(open.language ? { language: open.language } : {}) });
      } else if (open.tag === "code" && open.language) {
        const pre = stack.at(-1)!;
        pre.language = open.language;
      }
    } else {
      if (htmlTags[name] === undefined) return refuse(`Unsupported start tag "${name}" at byte offset ${byteOffset(source, i)}`);
      const href = /href\s*=\s*"([^"]*)"/i.exec(attrs ?? "")?.[1];
      const language = /class\s*=\s*"language-([^"]*)"/i.exec(attrs ?? "")?.[1];
      stack.push({ tag: name, offset: text.length, ...(href ? { url: href.replace(/&quot;/g, '"').replace(/&amp;/g, "&") } : {}), ...(language ? { language } : {}) });
    }
    i += whole.length;
  }
  const open = stack[0];
  if (open) return refuse(`Can't find end tag corresponding to start tag "${open.tag}"`);
  return { ok: true, text, entities: entities.sort((a, b) => a.offset - b.offset) };
}

/** What Telegram does with `text` and `parse_mode`; plain text when there is no parse mode. */
export function parseText(text: string, parseMode: string | undefined): Parsed {
  if (parseMode === "MarkdownV2") return parseMarkdownV2(text);
  if (parseMode === "HTML") return parseHtml(text);
  if (parseMode === undefined || parseMode === "") return { ok: true, text, entities: [] };
  return { ok: false, error: `Bad Request: unsupported parse_mode` };
}
