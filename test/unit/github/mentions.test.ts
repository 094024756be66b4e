import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findMention } from "../../../src/channels/github/mentions.ts";

const NAME = "switchboard";

interface Case {
  why: string;
  body: string;
  /** The expected `text`; omitted when only `mentioned` matters. */
  text?: string;
}

function check(cases: Case[], mentioned: boolean): void {
  for (const c of cases) {
    it(c.why, () => {
      const result = findMention(c.body, NAME);
      assert.equal(result.mentioned, mentioned, `mentioned, for ${JSON.stringify(c.body)}`);
      if (c.text !== undefined) assert.equal(result.text, c.text, `text, for ${JSON.stringify(c.body)}`);
    });
  }
}

describe("GitHub mentions: what counts as @switchboard", () => {
  check(
    [
      { why: "a mention at the start is removed with the gap after it", body: "@switchboard please review", text: "please review" },
      { why: "any letter case", body: "@SwitchBoard help", text: "help" },
      { why: "a comma after is fine, and the space before it closes up", body: "Hey @switchboard, can you look?", text: "Hey, can you look?" },
      { why: "a colon after an opening mention goes with it", body: "@switchboard: summarize this", text: "summarize this" },
      { why: "a full stop after the mention", body: "thanks @switchboard.", text: "thanks." },
      { why: "an exclamation mark after the mention", body: "Ping @switchboard!", text: "Ping!" },
      { why: "a trailing mention", body: "cc @switchboard", text: "cc" },
      { why: "inside parentheses", body: "(cc @switchboard)", text: "(cc)" },
      { why: "a possessive", body: "What is @switchboard's take?" },
      { why: "an ellipsis after the mention", body: "@switchboard... thoughts?", text: "... thoughts?" },
      { why: "in the middle of a sentence, leaving one space", body: "could @switchboard check this", text: "could check this" },
      { why: "several mentions, all removed", body: "@switchboard and @switchboard again", text: "and again" },
      { why: "in a heading", body: "# @switchboard triage", text: "# triage" },
      { why: "in a list item", body: "- @switchboard do X\n- other", text: "- do X\n- other" },
      { why: "a line that was only the mention disappears", body: "Line one\n@switchboard\nLine two", text: "Line one\nLine two" },
      { why: "a leading mention line leaves no blank lines", body: "@switchboard\n\nPlease fix the build.", text: "Please fix the build." },
      { why: "a mention paragraph between paragraphs leaves one blank line", body: "A\n\n@switchboard\n\nB", text: "A\n\nB" },
      { why: "CRLF line endings are normalized", body: "@switchboard hi\r\nthere\r\n", text: "hi\nthere" },
      { why: "after a closed inline code span on the same line", body: "`npm test` fails, @switchboard why?", text: "`npm test` fails, why?" },
      { why: "after a double-backtick code span containing a backtick", body: "``a ` b`` @switchboard", text: "``a ` b``" },
      { why: "an unmatched backtick is literal text", body: "a ` b @switchboard go", text: "a ` b go" },
      { why: "an escaped backtick opens no code span", body: "\\`@switchboard\\`" },
      { why: "after a closed fence", body: "```\ncode\n```\n@switchboard go", text: "```\ncode\n```\ngo" },
      { why: "after a closed tilde fence with an info string", body: "~~~python\nx = 1\n~~~\n\n@switchboard go", text: "~~~python\nx = 1\n~~~\n\ngo" },
      { why: "after an HTML comment on the same line", body: "<!-- hidden --> @switchboard go", text: "<!-- hidden --> go" },
      { why: "after an inline HTML comment", body: "see <!-- note --> @switchboard", text: "see <!-- note -->" },
      { why: "after a multi-line HTML comment closes", body: "<!--\nhidden\n-->\n@switchboard go", text: "<!--\nhidden\n-->\ngo" },
      { why: "after a quote, outside it", body: "> earlier @switchboard said\n\n@switchboard follow up", text: "> earlier @switchboard said\n\nfollow up" },
      { why: "an indented line right after a paragraph is a continuation, not code", body: "Question:\n    @switchboard why?", text: "Question:\n    why?" },
      { why: "a paragraph indented inside a list item is not code", body: "- item\n\n    @switchboard nested paragraph", text: "- item\n\n    nested paragraph" },
      { why: "a fence line with a backtick in its info string is not a fence", body: "``` a ` b\n@switchboard" },
      { why: "after a dot (not a word character)", body: "done.@switchboard" },
      { why: "a mention in a table cell", body: "| who | what |\n|---|---|\n| @switchboard | review |" },
    ],
    true,
  );
});

describe("GitHub mentions: what does not count", () => {
  check(
    [
      { why: "an email address", body: "write to bot@switchboard.com", text: "write to bot@switchboard.com" },
      { why: "a word glued before the @", body: "a@switchboard" },
      { why: "a longer login with a hyphen", body: "@switchboard-bot help" },
      { why: "a longer login", body: "@switchboardx help" },
      { why: "an underscore continues the word", body: "@switchboard_x help" },
      { why: "a dotted domain-like continuation", body: "@switchboard.io" },
      { why: "a team mention", body: "@switchboard/reviewers please" },
      { why: "the name as an organization of a team", body: "@acme/switchboard please" },
      { why: "an escaped @", body: "\\@switchboard is our bot", text: "\\@switchboard is our bot" },
      { why: "no @", body: "switchboard help" },
      { why: "a space after the @", body: "@ switchboard help" },
      { why: "an inline code span", body: "run `@switchboard help` to see" },
      { why: "a code span with a longer backtick run", body: "``code with ` and @switchboard``" },
      { why: "a backtick fence", body: "```\n@switchboard\n```", text: "```\n@switchboard\n```" },
      { why: "a tilde fence with an info string", body: "~~~python\n@switchboard\n~~~" },
      { why: "a fence with a complex info string", body: '```ts title="x.ts"\n@switchboard\n```' },
      { why: "an unclosed fence runs to the end", body: "text\n```\n@switchboard" },
      { why: "a shorter fence does not close a longer one", body: "````\n```\n@switchboard\n````" },
      { why: "a backtick fence does not close a tilde fence", body: "~~~\n```\n@switchboard\n```\n~~~" },
      { why: "a fence indented inside a list item", body: "1. step\n   ```\n   @switchboard\n   ```" },
      { why: "a fence opened on a list item line", body: "- ```\n  @switchboard\n  ```" },
      { why: "an indented code block after a blank line", body: "text\n\n    @switchboard in code" },
      { why: "an indented code block at the start", body: "    @switchboard in code" },
      { why: "a tab-indented code block", body: "\t@switchboard in code" },
      { why: "an indented code block after a heading", body: "# Log\n    @switchboard in code" },
      { why: "an indented code block deeper than a list item's content", body: "- item\n\n      @switchboard in code" },
      { why: "a block quote", body: "> @switchboard said this" },
      { why: "a nested block quote", body: "> > @switchboard said this" },
      { why: "a block quote indented by three spaces", body: "   > @switchboard said this" },
      { why: "a quote that interrupts a paragraph", body: "As you said:\n> @switchboard do it" },
      { why: "an HTML comment", body: "<!-- @switchboard -->" },
      { why: "a multi-line HTML comment with a blank line", body: "<!--\n@switchboard\n\nstill hidden\n-->" },
      { why: "an unclosed HTML comment block runs to the end", body: "<!-- template\n@switchboard" },
      { why: "an inline HTML comment", body: "text <!-- @switchboard --> more" },
      { why: "an inline HTML comment across lines of a paragraph", body: "text <!-- a\n@switchboard --> more" },
      { why: "inside a URL", body: "see https://example.com/@switchboard/x" },
      { why: "an empty body", body: "" },
    ],
    false,
  );
});

describe("GitHub mentions: the text the agent sees", () => {
  it("keeps quotes and code exactly as written", () => {
    const body = "> what does this do?\n\n@switchboard explain:\n\n```js\nconsole.log('@switchboard');\n```";
    assert.deepEqual(findMention(body, NAME), {
      mentioned: true,
      text: "> what does this do?\n\nexplain:\n\n```js\nconsole.log('@switchboard');\n```",
    });
  });

  it("keeps the indent of an indented code block that becomes the first line", () => {
    assert.deepEqual(findMention("@switchboard\n\n    code here", NAME), { mentioned: true, text: "    code here" });
  });

  it("without a mention, returns the body trimmed and normalized", () => {
    assert.deepEqual(findMention("\r\n  just a comment \r\n", NAME), { mentioned: false, text: "just a comment" });
  });

  it("an empty name matches nothing", () => {
    assert.equal(findMention("@ hello @switchboard", "").mentioned, false);
  });

  it("matches the configured name, not a fixed one", () => {
    assert.deepEqual(findMention("@Helper-Bot, look @switchboard", "helper-bot"), { mentioned: true, text: "look @switchboard" });
    assert.equal(findMention("@switchboard", "@switchboard").mentioned, true);
  });
});
