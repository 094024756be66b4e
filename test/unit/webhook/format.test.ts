import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatReply, markdownToPlainText } from "../../../src/channels/webhook/format.ts";

describe("webhook reply text", () => {
  it("passes markdown through untouched by default", () => {
    const markdown = "# Title\n**bold** and `code`\n```js\nlet x = 1;\n```";
    assert.equal(formatReply(markdown, "markdown"), markdown);
  });

  it("in text mode drops emphasis, headings and fences but keeps code verbatim", () => {
    const markdown = "# Title\n**bold**, _it_, *em* and ~~gone~~ with `a*b*c`\n> quoted\n* item\n```js\nconst **x** = 1;\n```";
    assert.equal(markdownToPlainText(markdown), "Title\nbold, it, em and gone with a*b*c\nquoted\n- item\nconst **x** = 1;");
  });

  it("in text mode writes links as label (url), and bare links once", () => {
    assert.equal(markdownToPlainText("see [the docs](https://example.com/docs) or [https://x.io](https://x.io)"), "see the docs (https://example.com/docs) or https://x.io");
  });

  it("leaves snake_case words and lone asterisks alone", () => {
    assert.equal(markdownToPlainText("use snake_case_names and 2 * 3 * 4"), "use snake_case_names and 2 * 3 * 4");
  });
});
