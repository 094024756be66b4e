import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { splitText } from "../../../src/core/split.ts";
import { prng } from "../../helpers/random.ts";


const isFenceLine = (line: string) => /^\s*(```|~~~)/.test(line);
const fenceLines = (chunk: string) => chunk.split("\n").filter(isFenceLine);
/** The text with fence lines and all whitespace removed: what a reader must not lose. */
const content = (text: string) =>
  text
    .split("\n")
    .filter((line) => !isFenceLine(line))
    .join("")
    .replace(/\s+/g, "");

const languages = ["js", "ts", "python", "sh", "json", ""];

/** Markdown-ish text: paragraphs of words, some very long words, and fenced blocks with a language. */
function randomText(random: () => number): string {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const word = () => {
    const length = random() < 0.04 ? int(40, 400) : int(1, 12);
    let w = "";
    for (let i = 0; i < length; i++) w += String.fromCharCode(97 + int(0, 25));
    return w;
  };
  const line = (maxWords: number) => Array.from({ length: int(1, maxWords) }, word).join(" ");
  const blocks: string[] = [];
  for (let b = int(1, 8); b > 0; b--) {
    if (random() < 0.35) {
      const marker = random() < 0.8 ? "```" : "~~~";
      const body = Array.from({ length: int(1, 25) }, () => "  ".repeat(int(0, 2)) + line(random() < 0.1 ? 60 : 8));
      blocks.push([marker + languages[int(0, languages.length - 1)], ...body, marker].join("\n"));
    } else {
      blocks.push(Array.from({ length: int(1, 6) }, () => line(random() < 0.2 ? 80 : 15)).join("\n"));
    }
  }
  return blocks.join("\n\n");
}

describe("splitText", () => {
  it("keeps a text within the limit as one chunk", () => {
    assert.deepEqual(splitText("hello there", 100), ["hello there"]);
    const exact = "x".repeat(50);
    assert.deepEqual(splitText(exact, 50), [exact]);
  });

  it("keeps every chunk within the limit, for many random texts", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const text = randomText(random);
      const limit = 60 + Math.floor(random() * 400);
      for (const [i, chunk] of splitText(text, limit).entries()) {
        assert.ok(chunk.length <= limit, `seed ${seed}, limit ${limit}: chunk ${i} has ${chunk.length} characters:\n${chunk}`);
      }
    }
  });

  it("keeps a chunk within the limit when a code fence opens at its end", () => {
    // The opening fence fits, but the closing fence the cut adds after it must fit too.
    const text = ["a".repeat(12), "```js", "code", "more"].join("\n");
    for (const chunk of splitText(text, 20)) assert.ok(chunk.length <= 20, `chunk has ${chunk.length} characters: ${JSON.stringify(chunk)}`);
  });

  it("never leaves a code fence open in a chunk, for many random texts", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const text = randomText(random);
      const limit = 60 + Math.floor(random() * 400);
      for (const [i, chunk] of splitText(text, limit).entries()) {
        const count = fenceLines(chunk).length;
        assert.equal(count % 2, 0, `seed ${seed}, limit ${limit}: chunk ${i} has ${count} fence lines:\n${chunk}`);
      }
    }
  });

  it("loses no content when the chunks are joined, for many random texts", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const text = randomText(random);
      const limit = 60 + Math.floor(random() * 400);
      const chunks = splitText(text, limit);
      assert.ok(chunks.length >= 1, `seed ${seed}: no chunks`);
      assert.equal(content(chunks.join("\n")), content(text), `seed ${seed}, limit ${limit}`);
    }
  });

  it("closes a fenced block cut across chunks and reopens it with its language", () => {
    const code = Array.from({ length: 12 }, (_, i) => `print("line number ${i}")`);
    const text = ["Here is the script:", "", "```python", ...code, "```", "", "That is all."].join("\n");
    const chunks = splitText(text, 120);
    assert.ok(chunks.length >= 3, `expected the block to be cut, got ${chunks.length} chunks`);
    const inside = chunks.filter((c) => c.includes("print("));
    assert.ok(inside.length >= 2, "the code block should span several chunks");
    for (const chunk of inside) {
      const lines = chunk.split("\n");
      const opener = lines.findIndex(isFenceLine);
      assert.equal(lines[opener], "```python", `a chunk with code opens the fence with its language:\n${chunk}`);
      assert.ok(lines.slice(0, opener).every((l) => !l.startsWith("print(")), `code before the opening fence:\n${chunk}`);
      assert.equal(lines.at(-1) === "```" || lines.slice(opener + 1).includes("```"), true, `the fence is closed:\n${chunk}`);
    }
    // The first cut ends with a closing fence and the next chunk starts by reopening it.
    const first = chunks.indexOf(inside[0]!);
    assert.equal(chunks[first]!.split("\n").at(-1), "```");
    assert.equal(chunks[first + 1]!.split("\n")[0], "```python");
    assert.deepEqual(
      chunks.flatMap((c) => c.split("\n").filter((l) => l.startsWith("print("))),
      code,
      "every code line arrives once, in order",
    );
  });

  it("cuts a long single line at a word boundary", () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const chunks = splitText(words.join(" "), 50);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(chunk.length <= 50, `chunk too long: ${chunk}`);
      for (const piece of chunk.trim().split(/\s+/)) assert.ok(words.includes(piece), `a word was cut: "${piece}" in "${chunk}"`);
    }
    assert.deepEqual(chunks.join(" ").split(/\s+/), words);
  });
});
