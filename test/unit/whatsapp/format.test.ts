import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { markdownToWhatsApp } from "../../../src/channels/whatsapp/format.ts";

describe("markdown → WhatsApp formatting", () => {
  it("writes bold, italic and strikethrough in WhatsApp's markers", () => {
    assert.equal(markdownToWhatsApp("**bold**, __also bold__, *italic*, _italic_ and ~~gone~~"), "*bold*, *also bold*, _italic_, _italic_ and ~gone~");
  });

  it("keeps code exactly as written, in ``` blocks and inline", () => {
    const md = "Run:\n\n```bash\necho **not bold** *x*\n```\n\nthen `a*b*c` and **done**";
    assert.equal(markdownToWhatsApp(md), "Run:\n\n```\necho **not bold** *x*\n```\n\nthen `a*b*c` and *done*");
  });

  it("turns links into text (url), and a bare link into its url", () => {
    assert.equal(markdownToWhatsApp("See [the docs](https://example.com/docs) or [https://x.io](https://x.io)."), "See the docs (https://example.com/docs) or https://x.io.");
  });

  it("makes headings bold, star bullets dashes, and keeps quotes and numbered lists", () => {
    assert.equal(markdownToWhatsApp("# Title\n* one\n+ two\n- three\n1. first\n> quoted"), "*Title*\n- one\n- two\n- three\n1. first\n> quoted");
    assert.equal(markdownToWhatsApp("## A **bold** heading"), "*A bold heading*");
  });

  it("leaves snake_case words and arithmetic alone", () => {
    assert.equal(markdownToWhatsApp("use snake_case_names and 2 * 3 * 4"), "use snake_case_names and 2 * 3 * 4");
  });

  it("never makes a text longer, so chunks split at the limit still fit", () => {
    const samples = ["**a** [l](http://u) # h", "# x", "* item", "~~s~~ __b__ *i*", "```ts\ncode\n```", "[](http://x)", "---"];
    for (const sample of samples) assert.ok(markdownToWhatsApp(sample).length <= sample.length, sample);
  });
});
