import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_REFERENCES, replyHeaders, replySubject, threadRoot } from "../../src/channels/email/threading.ts";
import { renderMarkdown } from "../../src/channels/email/render.ts";

describe("email threading", () => {
  it("a new mail is its own thread root", () => {
    assert.equal(threadRoot({ messageId: "a@x", references: [] }), "a@x");
  });

  it("a reply belongs to the first mail of its References chain", () => {
    assert.equal(threadRoot({ messageId: "c@x", inReplyTo: "b@x", references: ["a@x", "b@x"] }), "a@x");
  });

  it("a reply from a client that sends only In-Reply-To belongs to the mail it answers", () => {
    assert.equal(threadRoot({ messageId: "b@x", inReplyTo: "<a@x>", references: [] }), "a@x");
  });

  it("the reply subject gets one Re:, never Re: Re:", () => {
    assert.equal(replySubject("Invoice 42"), "Re: Invoice 42");
    assert.equal(replySubject("Re: Invoice 42"), "Re: Invoice 42");
    assert.equal(replySubject("RE: re: Invoice 42"), "Re: Invoice 42");
    assert.equal(replySubject("Aw: Rechnung"), "Re: Rechnung");
    assert.equal(replySubject("Re[2]: Invoice"), "Re: Invoice");
    assert.equal(replySubject("  SV:Faktura "), "Re: Faktura");
  });

  it("a forwarded subject keeps its Fwd:, and words that merely start like Re stay", () => {
    assert.equal(replySubject("Fwd: the plan"), "Re: Fwd: the plan");
    assert.equal(replySubject("Report: Q3"), "Re: Report: Q3");
    assert.equal(replySubject("Regarding the plan"), "Re: Regarding the plan");
  });

  it("an empty subject still reads as a reply, and header line breaks are removed", () => {
    assert.equal(replySubject(""), "Re:");
    assert.equal(replySubject("Re:"), "Re:");
    assert.equal(replySubject("two\r\n lines"), "Re: two lines");
  });

  it("the reply's References keep the chain and append the mail replied to", () => {
    assert.deepEqual(replyHeaders({ messageId: "c@x", references: ["a@x", "b@x"] }), { inReplyTo: "c@x", references: ["a@x", "b@x", "c@x"] });
    assert.deepEqual(replyHeaders({ messageId: "<a@x>", references: [] }), { inReplyTo: "a@x", references: ["a@x"] });
  });

  it("duplicate ids are dropped and the mail replied to stays last", () => {
    assert.deepEqual(replyHeaders({ messageId: "c@x", references: ["a@x", "c@x", "a@x", "b@x"] }).references, ["a@x", "b@x", "c@x"]);
  });

  it("a very long chain keeps its root and the most recent mails", () => {
    const chain = Array.from({ length: 60 }, (_, i) => `m${i}@x`);
    const { references, inReplyTo } = replyHeaders({ messageId: "last@x", references: chain });
    assert.equal(inReplyTo, "last@x");
    assert.equal(references.length, MAX_REFERENCES);
    assert.equal(references[0], "m0@x");
    assert.equal(references.at(-1), "last@x");
    assert.equal(references.at(-2), "m59@x");
    assert.equal(threadRoot({ messageId: "next@x", references }), "m0@x");
  });
});

describe("markdown to an email body", () => {
  it("agent text cannot put HTML into the mail", () => {
    const { html, text } = renderMarkdown(`<script>alert("x")</script> & <img src=x onerror=y>`);
    assert.equal(html, "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=y&gt;</p>");
    assert.equal(text, `<script>alert("x")</script> & <img src=x onerror=y>`);
  });

  it("paragraphs, bold, italic and inline code", () => {
    const { html } = renderMarkdown("Hello **world** and *you* and _her_, run `a < b`.\nNext line.\n\nSecond paragraph, snake_case_name.");
    assert.equal(html, "<p>Hello <strong>world</strong> and <em>you</em> and <em>her</em>, run <code>a &lt; b</code>.<br>\nNext line.</p>\n<p>Second paragraph, snake_case_name.</p>");
  });

  it("fenced code blocks are preformatted and escaped, not interpreted", () => {
    const { html } = renderMarkdown("```ts\nconst a = **b** < c;\n<b>x</b>\n```");
    assert.equal(html, '<pre><code class="language-ts">const a = **b** &lt; c;\n&lt;b&gt;x&lt;/b&gt;</code></pre>');
  });

  it("links keep only http, https and mailto targets", () => {
    const { html, text } = renderMarkdown("[docs](https://example.com/a?b=1&c=2) [mail](mailto:a@example.com) [bad](javascript:alert(1)) [data](data:text/html,x)");
    assert.equal(html, '<p><a href="https://example.com/a?b=1&amp;c=2">docs</a> <a href="mailto:a@example.com">mail</a> bad data</p>');
    assert.match(text, /docs \(https:\/\/example\.com\/a\?b=1&c=2\)/);
  });

  it("a link target cannot break out of its attribute", () => {
    const { html } = renderMarkdown('[x](https://e.com/"onmouseover="alert(1))');
    assert.doesNotMatch(html, /href="[^"]*"onmouseover/);
  });

  it("bare and angle-bracket URLs become links", () => {
    const { html } = renderMarkdown("see https://example.com/x. or <https://example.org>");
    assert.equal(html, '<p>see <a href="https://example.com/x">https://example.com/x</a>. or <a href="https://example.org">https://example.org</a></p>');
  });

  it("lists, nested lists, ordered lists, headings and quotes", () => {
    const { html } = renderMarkdown("## Plan\n\n- one\n- two\n  - two a\n- three\n\n3. c\n4. d\n\n> quoted **text**\n> more");
    assert.equal(
      html,
      [
        "<h2>Plan</h2>",
        "<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>two a</li>\n</ul></li>\n<li>three</li>\n</ul>",
        '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>',
        "<blockquote><p>quoted <strong>text</strong><br>\nmore</p></blockquote>",
      ].join("\n"),
    );
  });

  it("backslash escapes show the character itself", () => {
    assert.equal(renderMarkdown("\\*not italic\\*").html, "<p>*not italic*</p>");
  });
});
