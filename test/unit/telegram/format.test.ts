import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { markdownToMarkdownV2, markdownToTelegramHtml } from "../../../src/channels/telegram/format.ts";
import { escapeMarkdownV2 } from "../../../src/channels/telegram/format-dialects.ts";
import { parseHtml, parseMarkdownV2 } from "../../emulators/telegram/markup.ts";
import { prng } from "../../helpers/random.ts";

/** What the user sees: the emulator parses like Telegram and fails the test on "can't parse entities". */
function shown(markdownV2: string): { text: string; types: string[] } {
  const parsed = parseMarkdownV2(markdownV2);
  assert.ok(parsed.ok, `Telegram would refuse ${JSON.stringify(markdownV2)}: ${parsed.ok ? "" : parsed.error}`);
  return { text: parsed.text, types: parsed.entities.map((e) => e.type) };
}

describe("markdown → MarkdownV2", () => {
  it("escapes every reserved character in plain text", () => {
    const text = "Price: 1.5 + 2 = 3.5! (approx) [sic] {x} #tag a|b ~ > < - _ * ` \\";
    assert.equal(escapeMarkdownV2("a.b!"), "a\\.b\\!");
    assert.equal(shown(markdownToMarkdownV2(text)).text, text.replace("`", "`"));
  });

  it("writes bold, italic, strike, links and code as Telegram entities", () => {
    const out = markdownToMarkdownV2("**bold** *it* ~~gone~~ [site](https://example.com/a_(b)) `x.y`");
    assert.equal(out, "*bold* _it_ ~gone~ [site](https://example.com/a_(b\\)) `x.y`");
    assert.deepEqual(shown(out).types, ["bold", "italic", "strikethrough", "text_link", "code"]);
  });

  it("escapes only ` and \\ inside code and pre", () => {
    const out = markdownToMarkdownV2("```js\nconst s = `a.b` + '\\\\';\n```");
    assert.equal(out, "```js\nconst s = \\`a.b\\` + '\\\\\\\\';\n```");
    assert.equal(shown(out).text.trimEnd(), "const s = `a.b` + '\\\\';");
  });

  it("closes a fence left open by a reply cut mid-stream", () => {
    assert.deepEqual(shown(markdownToMarkdownV2("text\n```py\nprint(1)")).types, ["pre"]);
  });

  it("leaves half-written emphasis and snake_case as text", () => {
    assert.equal(shown(markdownToMarkdownV2("a **half and snake_case_name")).text, "a **half and snake_case_name");
  });

  it("keeps two touching italic spans apart (no accidental underline)", () => {
    assert.deepEqual(shown(markdownToMarkdownV2("_a__b_ and *c**d*")).types.filter((t) => t === "underline"), []);
  });

  it("turns headings into bold, lists into bullets, quotes into a blockquote", () => {
    const { text, types } = shown(markdownToMarkdownV2("## Title!\n- one\n2. two\n> quoted.\n> more"));
    assert.equal(text, "Title!\n• one\n2. two\nquoted.\nmore");
    assert.deepEqual(types, ["bold", "blockquote"]);
  });

  it("writes an unsafe link target as text instead of a link Telegram would refuse", () => {
    const { text, types } = shown(markdownToMarkdownV2("[click](javascript:alert(1))"));
    assert.deepEqual(types, []);
    assert.match(text, /click/);
  });

  it("never produces MarkdownV2 that Telegram refuses, whatever the input (property)", () => {
    const alphabet = ["*", "**", "_", "__", "~~", "`", "```", "[", "]", "(", ")", "https://x.io", "\\", "\n", ">", "#", "-", "1.", " ", "a", "b", ".", "!", "|", "{", "}", "=", "+", "é", "😀"];
    for (let seed = 1; seed <= 500; seed++) {
      const random = prng(seed);
      const input = Array.from({ length: 1 + Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const out = markdownToMarkdownV2(input);
      const parsed = parseMarkdownV2(out);
      assert.ok(parsed.ok, `seed ${seed}: ${JSON.stringify(input)} → ${JSON.stringify(out)}: ${parsed.ok ? "" : parsed.error}`);
      const html = parseHtml(markdownToTelegramHtml(input));
      assert.ok(html.ok, `seed ${seed} (html): ${JSON.stringify(input)}: ${html.ok ? "" : html.error}`);
    }
  });
});

describe("markdown → HTML", () => {
  it("escapes <, > and & and uses Telegram's tags", () => {
    assert.equal(markdownToTelegramHtml("**a < b** & `x>y`"), "<b>a &lt; b</b> &amp; <code>x&gt;y</code>");
  });
});
