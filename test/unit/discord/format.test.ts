import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { markdownToDiscord } from "../../../src/channels/discord/format.ts";
import { splitText } from "../../../src/core/split.ts";
import { DISCORD_MAX_MESSAGE_LENGTH } from "../../../src/channels/discord/index.ts";

describe("Discord formatting", () => {
  it("keeps what Discord renders: bold, code, links, fences, shallow headings", () => {
    const text = "## Title\n**Bold** and `code` and a [link](https://example.com)\n```js\nconst a = 1;\n```";
    assert.equal(markdownToDiscord(text), text);
  });

  it("turns headings Discord cannot show into bold lines, and images into links", () => {
    assert.equal(markdownToDiscord("#### Details"), "**Details**");
    assert.equal(markdownToDiscord("see ![a chart](https://x.test/c.png)"), "see [a chart](https://x.test/c.png)");
    assert.equal(markdownToDiscord("![](https://x.test/c.png)"), "https://x.test/c.png");
  });

  it("leaves code alone", () => {
    const code = "```md\n#### not a heading\n![](x)\n```\n`![](y)`";
    assert.equal(markdownToDiscord(code), code);
  });

  it("never makes a split chunk longer, so 2,000-character chunks stay within Discord's limit", () => {
    const reply = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? `#### Heading ${i}` : i % 5 === 0 ? `![](https://x.test/${i}.png)` : `line ${i} with words`)).join("\n");
    for (const chunk of splitText(reply, DISCORD_MAX_MESSAGE_LENGTH)) {
      assert.ok(markdownToDiscord(chunk).length <= chunk.length);
    }
  });
});
