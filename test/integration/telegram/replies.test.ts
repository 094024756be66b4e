import { describe, it, afterEach } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentEvent } from "../../../src/core/agent.ts";
import { TELEGRAM_MAX_MESSAGE_LENGTH } from "../../../src/channels/telegram/index.ts";
import { waitFor } from "../../helpers/gateway.ts";
import { botMessages, startTelegramSetup, type TelegramSetup } from "./setup.ts";

const markdown = [
  "# Release plan",
  "Here is **the plan** (v1.2.3) for _today_ - no ~~delays~~!",
  "",
  "1. Freeze the branch",
  "2. Run the [checklist](https://example.com/check_list?a=1&b=(2))",
  "3. Ship `npm run release` #now",
  "",
  "```sh",
  "echo \"a `b` \\ c\" > out.txt",
  "```",
  "> note: a_b * c = {d}",
].join("\n");

async function* streamed(text: string, delayMs: number): AsyncIterable<AgentEvent> {
  for (const piece of text.match(/[\s\S]{1,10}/g) ?? []) {
    await sleep(delayMs);
    yield { type: "text.delta", text: piece };
  }
  yield { type: "message", text };
}

describe("Telegram replies", () => {
  let s: TelegramSetup | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it("rich markdown arrives as MarkdownV2 that Telegram parses into entities", async () => {
    s = await startTelegramSetup({ channel: { streaming: "off" }, config: { defaultAgent: "md" }, setup: (gw) => gw.addAgent("md", async () => markdown) });
    s.emulator.say({ text: "plan it" });
    const [reply] = await botMessages(s.emulator, s.emulator.alice.id);
    const types = new Set<string>((reply!.message.entities ?? []).map((e) => e.type));
    for (const type of ["bold", "italic", "strikethrough", "text_link", "code", "pre", "blockquote"]) assert.ok(types.has(type), `has a ${type} entity`);
    assert.match(reply!.text, /Here is the plan \(v1\.2\.3\) for today - no delays!/);
    assert.match(reply!.text, /echo "a `b` \\ c" > out\.txt/);
    assert.match(reply!.text, /note: a_b \* c = \{d\}/);
  });

  it("format: html sends HTML that Telegram parses", async () => {
    s = await startTelegramSetup({ channel: { streaming: "off", format: "html" }, config: { defaultAgent: "md" }, setup: (gw) => gw.addAgent("md", async () => markdown) });
    s.emulator.say({ text: "plan it" });
    const [reply] = await botMessages(s.emulator, s.emulator.alice.id);
    assert.equal(reply!.parseMode, "HTML");
    assert.ok((reply!.message.entities ?? []).some((e) => e.type === "pre"));
    assert.match(reply!.text, /echo "a `b` \\ c" > out\.txt/);
  });

  it("429s delay replies but lose none: each arrives exactly once, after Telegram's retry_after", async () => {
    s = await startTelegramSetup({ config: { defaultAgent: "echo" }, setup: (gw) => gw.addAgent("echo", async (input) => `ok: ${input.text}`) });
    s.emulator.rateLimitNext("sendMessage", 1, 3);
    const started = Date.now();
    const users = [s.emulator.alice, s.emulator.bob];
    for (const [i, user] of users.entries()) s.emulator.say({ user, text: `busy ${i}` });
    for (const [i, user] of users.entries()) {
      const sent = await botMessages(s.emulator, user.id, 1, 15_000);
      assert.deepEqual(sent.map((m) => m.text), [`ok: busy ${i}`]);
    }
    assert.ok(Date.now() - started >= 1_000, "waited at least retry_after");
    const limited = s.emulator.calls.filter((c) => c.method === "sendMessage").length;
    assert.equal(limited, 5, "3 refused + 2 delivered");
    await sleep(300);
    assert.equal(s.emulator.sent().length, 2, "no duplicates");
  });

  it("a reply over 4,096 characters is split into parts Telegram takes, in order", async () => {
    const paragraph = (n: number) => `Paragraph ${n}: ${"word. ".repeat(120)}`;
    const long = Array.from({ length: 12 }, (_, i) => paragraph(i)).join("\n\n");
    s = await startTelegramSetup({ channel: { streaming: "off" }, config: { defaultAgent: "long" }, setup: (gw) => gw.addAgent("long", async () => long) });
    s.emulator.say({ text: "write a lot" });
    const sent = await waitFor(() => {
      const all = s!.emulator.sent(s!.emulator.alice.id);
      return all.map((m) => m.text).join("\n").includes("Paragraph 11") ? all : undefined;
    }, { what: "the whole reply" });
    assert.ok(sent.length >= 2, `${sent.length} parts`);
    assert.ok(sent.every((m) => m.text.length <= TELEGRAM_MAX_MESSAGE_LENGTH));
    const words = (text: string) => text.replace(/\s+/g, " ").trim();
    assert.equal(words(sent.map((m) => m.text).join("\n")), words(long), "nothing lost, in order");
  });

  it("streaming: one message is edited as the reply grows, and ends as the formatted answer", async () => {
    s = await startTelegramSetup({ channel: { editIntervalMs: 100 }, config: { defaultAgent: "writer" }, setup: (gw) => gw.addAgent("writer", () => streamed(markdown, 30)) });
    s.emulator.say({ text: "stream it" });
    const expected = s.channel.format(markdown);
    await waitFor(() => s!.emulator.sent(s!.emulator.alice.id)[0]?.source === expected, { what: "the final text", timeoutMs: 15_000 });
    await sleep(300);
    const sent = s.emulator.sent(s.emulator.alice.id);
    assert.equal(sent.length, 1, "one message");
    assert.ok(sent[0]!.edits.length >= 2, `edited ${sent[0]!.edits.length} times`);
    const edits = s.emulator.calls.filter((c) => c.method === "editMessageText");
    assert.ok(edits.every((c) => c.params.parse_mode === "MarkdownV2"));
  });
});
