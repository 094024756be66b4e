import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { markdownToMrkdwn } from "../../src/channels/slack/format.ts";
import { prng } from "../helpers/random.ts";

/** What Slack shows for text it received: it decodes exactly these three entities. */
const slackShows = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
/** Slack's required escaping, written out independently of the code under test. */
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const convert = (...lines: string[]) => markdownToMrkdwn(lines.join("\n"));
const lines = (...parts: string[]) => parts.join("\n");


describe("markdownToMrkdwn: inline formatting", () => {
  it("writes **bold** and __bold__ as Slack's *bold*", () => {
    assert.equal(convert("a **strong** word and a __loud__ one"), "a *strong* word and a *loud* one");
  });

  it("writes *italic* and _italic_ as Slack's _italic_", () => {
    assert.equal(convert("an *airy* word and a _slanted_ one"), "an _airy_ word and a _slanted_ one");
  });

  it("writes ***bold italic*** as both, and nests italic inside bold", () => {
    assert.equal(convert("***both*** and **bold with _italic_ inside**"), "*_both_* and *bold with _italic_ inside*");
  });

  it("writes ~~strike~~ as Slack's ~strike~", () => {
    assert.equal(convert("the ~~old~~ new plan"), "the ~old~ new plan");
  });

  it("keeps `code` spans as they are, with no conversion inside them", () => {
    assert.equal(convert("run `npm **test** _now_ [x](y)` first"), "run `npm **test** _now_ [x](y)` first");
  });

  it("leaves an underscore inside a word alone, so snake_case_name stays literal", () => {
    assert.equal(convert("call snake_case_name or __init__ now"), "call snake_case_name or *init* now");
    assert.equal(convert("set max_retry_count_ and a_b"), "set max_retry_count_ and a_b");
    assert.equal(convert("read my__private__var and __dunder__"), "read my__private__var and *dunder*");
  });

  it("closes emphasis at its own delimiter, not inside bold, code or a URL", () => {
    assert.equal(convert("*a **b** c*"), "_a *b* c_");
    assert.equal(convert("*see `a*b` and https://e.com/x*y now*"), "_see `a*b` and https://e.com/x*y now_");
    assert.equal(convert("_one [a_b](https://e.com/_c_) two_"), "_one <https://e.com/_c_|a_b> two_");
  });

  it("leaves asterisks that don't wrap text alone (arithmetic is not emphasis)", () => {
    assert.equal(convert("2 * 3 * 4 = 24, and ** alone"), "2 * 3 * 4 = 24, and ** alone");
    assert.equal(convert("a * b* and c _ d_"), "a * b* and c _ d_");
  });

  it("does not convert twice: its own *bold* is not then read as italic", () => {
    assert.equal(convert("**a** and *b*"), "*a* and _b_");
    assert.equal(convert("***a*** and **_b_**"), "*_a_* and *_b_*");
  });
});

describe("markdownToMrkdwn: links", () => {
  it("writes [text](url) as <url|text>, escaping & in the URL as Slack expects", () => {
    assert.equal(
      convert("see [the docs](https://example.com/a_b?x=1&y=2) now"),
      "see <https://example.com/a_b?x=1&amp;y=2|the docs> now",
    );
  });

  it("shows a link label as plain text, escaped, with the link's own < | > untouched", () => {
    assert.equal(convert("[**R&D** > sales](https://e.com/q)"), "<https://e.com/q|R&amp;D &gt; sales>");
  });

  it("links images, empty labels, titles and URLs with spaces or pipes", () => {
    assert.equal(convert("![a chart](https://e.com/c.png)"), "<https://e.com/c.png|a chart>");
    assert.equal(convert("[](https://e.com)"), "<https://e.com>");
    assert.equal(convert('[home](https://e.com "Home page")'), "<https://e.com|home>");
    assert.equal(convert("[file](<https://e.com/my file|1.pdf>)"), "<https://e.com/my%20file%7C1.pdf|file>");
    assert.equal(convert("[https://e.com](https://e.com)"), "<https://e.com>");
    assert.equal(convert("[just **text**]()"), "just *text*");
  });

  it("writes autolinks and email autolinks as Slack links", () => {
    assert.equal(convert("<https://e.com/x> or <ops@e.com>"), "<https://e.com/x> or <mailto:ops@e.com|ops@e.com>");
  });

  it("passes through a Slack-style <url|label> link the agent wrote itself", () => {
    assert.equal(convert("open <https://e.com|the dashboard>"), "open <https://e.com|the dashboard>");
  });

  it("leaves bare URLs as they are, underscores and parentheses included", () => {
    const text = "see https://e.com/some_path_name/ and https://en.wikipedia.org/wiki/Foo_(bar).";
    assert.equal(convert(text), text);
    assert.equal(convert("**https://e.com/a_b** and _(https://e.com/x)_"), "*https://e.com/a_b* and _(https://e.com/x)_");
  });

  it("leaves a bracket that isn't a link as text", () => {
    assert.equal(convert("[draft] and [x] (later)"), "[draft] and [x] (later)");
  });
});

describe("markdownToMrkdwn: blocks", () => {
  it("writes headings of every level as a bold line", () => {
    assert.equal(convert("# Title", "## Part **two**", "###### Small ###"), lines("*Title*", "*Part two*", "*Small*"));
  });

  it("writes setext headings as a bold line, and leaves #hashtags and C# alone", () => {
    assert.equal(convert("Release notes", "=============", "#general uses C#"), lines("*Release notes*", "#general uses C#"));
  });

  it("writes -, * and + bullets as • and keeps the nesting indentation", () => {
    assert.equal(
      convert("- fruit", "  * apple", "    + **green** apple", "- veg"),
      lines("• fruit", "  • apple", "    • *green* apple", "• veg"),
    );
  });

  it("shows task list boxes", () => {
    assert.equal(convert("- [ ] write tests", "- [x] write code"), lines("• ☐ write tests", "• ☑ write code"));
  });

  it("keeps ordered list numbering", () => {
    assert.equal(convert("1. first", "2. **second**", "   10. nested"), lines("1. first", "2. *second*", "   10. nested"));
  });

  it("keeps blockquotes as > quotes, with their formatting converted and nested quotes flattened", () => {
    assert.equal(
      convert("> **Note:** a < b", "> > said before", ">", "> - a point"),
      lines("> *Note:* a &lt; b", "> said before", "> ", "> • a point"),
    );
  });

  it("writes horizontal rules as a line of em dashes", () => {
    assert.equal(convert("above", "", "---", "***", "_ _ _", "", "below"), lines("above", "", "———", "———", "———", "", "below"));
  });

  it("drops a fenced block's language and closes a fence left open", () => {
    assert.equal(convert("```python", "print(1)", "```"), lines("```", "print(1)", "```"));
    assert.equal(convert("~~~~", "x", "~~~~"), lines("```", "x", "```"));
    assert.equal(convert("intro", "```js", "let a = 1;"), lines("intro", "```", "let a = 1;", "```"));
  });
});

describe("markdownToMrkdwn: tables", () => {
  it("draws a table as an aligned monospace table in a code block", () => {
    assert.equal(
      convert("| Name | Qty |", "|------|-----|", "| apple | 3 |", "| kiwi | 12 |"),
      lines("```", "Name  | Qty", "------|----", "apple | 3", "kiwi  | 12", "```"),
    );
  });

  it("honours column alignment and writes cells as plain text", () => {
    assert.equal(
      convert("Item | Price | Note", ":--- | ---: | :---:", "**tea** | 4.5 | [menu](https://e.com)", "`cake` | 12 | -"),
      lines(
        "```",
        "Item | Price |         Note",
        "-----|-------|---------------------",
        "tea  |   4.5 | menu (https://e.com)",
        "cake |    12 |          -",
        "```",
      ),
    );
  });

  it("pads by what Slack shows, so escaped & < > and wide characters still line up", () => {
    const table = convert("| a | b |", "|---|---|", "| R&D | x |", "| 東京 | y |", "| ✅ ⚠️ | v |", "| 👩‍💻 | w |", "| a \\| b | z |");
    assert.equal(
      table,
      lines("```", "a     | b", "------|--", "R&amp;D   | x", "東京  | y", "✅ ⚠️ | v", "👩‍💻    | w", "a | b | z", "```"),
    );
    const shown = slackShows(table).split("\n").slice(1, -1);
    // Each of these is two columns wide; the last pipe of each row is the column separator.
    const narrow = (row: string) => row.replace(/東|京|✅|⚠️|👩‍💻/gu, "WW");
    assert.deepEqual(shown.map((row) => narrow(row).lastIndexOf("|")), [6, 6, 6, 6, 6, 6, 6]);
  });

  it("ends a table at a blank line and fills in missing cells", () => {
    assert.equal(
      convert("| a | b |", "|---|---|", "| 1 |", "", "after"),
      lines("```", "a | b", "--|--", "1 |", "```", "", "after"),
    );
  });

  it("does not mistake a line with a pipe, or a heading underline, for a table", () => {
    assert.equal(convert("use a | b in the shell", "- then more"), lines("use a | b in the shell", "• then more"));
    assert.equal(convert("Totals", "------"), "*Totals*");
    assert.equal(convert("| Totals |", "|--------|", "| 12 |"), lines("```", "Totals", "------", "12", "```"));
  });
});

describe("markdownToMrkdwn: escaping", () => {
  it("escapes &, < and > in text as Slack requires", () => {
    assert.equal(convert("Q&A: is 1 < 2 > 0?"), "Q&amp;A: is 1 &lt; 2 &gt; 0?");
  });

  it("escapes text that looks like Slack control sequences, so a reply can't ping @channel", () => {
    assert.equal(convert("hey <!channel> and <@U123> in <#C42>"), "hey &lt;!channel&gt; and &lt;@U123&gt; in &lt;#C42&gt;");
  });

  it("escapes an entity again, so it shows as written", () => {
    assert.equal(slackShows(convert("write &amp; for &")), "write &amp; for &");
  });
});

describe("markdownToMrkdwn: code is shown exactly as written", () => {
  const code = [
    "**not bold** _not italic_ ~~no~~ [not](a link) https://e.com/_x_",
    "# not a heading",
    "- not a bullet",
    "> not a quote",
    "| not | a table |",
    "|-----|---------|",
    "---",
    "if (a < b && c > d) { return x & 1; } // &amp; stays &amp;",
    "\tindented\twith tabs   and trailing spaces   ",
    "snake_case_name <@U123> <!here> ```inline fence``` `tick`",
  ];

  it("changes nothing in a fenced block but Slack's required escaping, which Slack undoes on display", () => {
    const out = markdownToMrkdwn(["Before", "```ts", ...code, "```", "After"].join("\n")).split("\n");
    assert.deepEqual(out, ["Before", "```", ...code.map(slackEscape), "```", "After"]);
    assert.equal(slackShows(out.slice(2, -2).join("\n")), code.join("\n"), "the code Slack shows is byte-identical");
  });

  it("changes nothing in code spans but Slack's required escaping", () => {
    for (const span of ["`**x** & _y_`", "`a<b>c`", "`[l](u)`", "`` ~~s~~ `x` ``", "`&lt;`"]) {
      const out = convert(`say ${span} now`);
      assert.equal(out, `say ${slackEscape(span)} now`);
      assert.equal(slackShows(out), `say ${span} now`);
    }
  });

  it("keeps code in a list item or a quote unconverted", () => {
    assert.equal(convert("- step:", "  ```sh", "  rm -rf build/ && make", "  ```"), lines("• step:", "```", "  rm -rf build/ &amp;&amp; make", "```"));
    assert.equal(convert("> ```", "> **x**", "> ```"), lines("> ```", "> **x**", "> ```"));
  });
});

describe("markdownToMrkdwn: text without markdown", () => {
  // Everyday text and symbols that are not markdown syntax where they appear.
  const tokens = [
    "the", "Deploy", "failed", "at", "3pm", "ok", "über", "東京", "😀", "42", "3.14", "1,000", "x=y", "-1", "->", "<-",
    "<3", "&", "&&", "<", ">", "a<b", "x>y", "Q&A", "AT&T", "&amp;", "&lt;tag&gt;", "<div>", "</p>", "(see", "note)",
    "\"quoted\"", "'single'", "it's", "e.g.", "a/b", "50%", "$5", "user@example.com", "@here", "{json}", "semi;",
    "colon:", "wait...", "really?!", "C:\\Users\\me", "5 ^ 2", "=", "2 * 3", "a | b",
  ];

  it("only escapes &, < and >, for many random texts", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = prng(seed);
      const pick = () => tokens[Math.floor(random() * tokens.length)]!;
      const textLines = Array.from({ length: 1 + Math.floor(random() * 6) }, () => {
        const words = Array.from({ length: 1 + Math.floor(random() * 12) }, pick);
        // A line that opens with ">" or "=" would be a quote or a heading underline: markdown.
        if (/^[>=]/.test(words[0]!)) words.unshift("so");
        return (random() < 0.2 ? "  " : "") + words.join(" ");
      });
      const text = textLines.join(random() < 0.3 ? "\n\n" : "\n");
      assert.equal(markdownToMrkdwn(text), slackEscape(text), `seed ${seed}:\n${text}`);
    }
  });
});

describe("markdownToMrkdwn: a realistic reply", () => {
  it("converts a mixed document the way a Slack user expects to read it", () => {
    const markdown = lines(
      "## Deploy summary",
      "",
      "The **build** passed, but _one_ check ~~failed~~ was flaky. See [the run](https://ci.example.com/runs/42?tab=logs&step=3) or https://ci.example.com/runs/42.",
      "",
      "### Steps",
      "1. Pull the `release_2024` branch",
      "2. Run the script:",
      "",
      "```bash",
      "./deploy.sh --env prod && echo \"done\" > /tmp/status",
      "```",
      "",
      "- **Owner:** @dana",
      "  - backup: <!here> is *not* pinged",
      "",
      "> Rollback if error rate > 2%",
      "",
      "| Service | Status | p95 (ms) |",
      "|---------|:------:|---------:|",
      "| api | ✅ ok | 120 |",
      "| worker_queue | ⚠️ slow | 2300 |",
      "",
      "---",
      "Questions? Ask in #deploys.",
    );
    assert.equal(
      markdownToMrkdwn(markdown),
      lines(
        "*Deploy summary*",
        "",
        "The *build* passed, but _one_ check ~failed~ was flaky. See <https://ci.example.com/runs/42?tab=logs&amp;step=3|the run> or https://ci.example.com/runs/42.",
        "",
        "*Steps*",
        "1. Pull the `release_2024` branch",
        "2. Run the script:",
        "",
        "```",
        "./deploy.sh --env prod &amp;&amp; echo \"done\" &gt; /tmp/status",
        "```",
        "",
        "• *Owner:* @dana",
        "  • backup: &lt;!here&gt; is _not_ pinged",
        "",
        "> Rollback if error rate &gt; 2%",
        "",
        "```",
        "Service      | Status  | p95 (ms)",
        "-------------|---------|---------",
        "api          |  ✅ ok  |      120",
        "worker_queue | ⚠️ slow |     2300",
        "```",
        "",
        "———",
        "Questions? Ask in #deploys.",
      ),
    );
  });
});
