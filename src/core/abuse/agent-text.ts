/**
 * What the agent reads of a channel message. Markers that could make user text pass for the
 * gateway, the system prompt or another turn (`[System Message]`, `<system>`, `<|im_start|>`,
 * a line starting `System:`, the wrapper's own tags) are neutralized: their brackets and colons
 * become full-width lookalikes, still readable, no longer markup. When the gateway adds text of
 * its own (a route's instruction), the user's text follows it inside `<user-message>` tags, so
 * the agent can tell the two apart. Text with neither reaches the agent exactly as typed.
 */

export const USER_MESSAGE_OPEN = "<user-message>";
export const USER_MESSAGE_CLOSE = "</user-message>";

/** Words that, as a tag or a label, claim a voice other than the user's. */
const ROLE_WORDS = ["system", "sys", "gateway", "switchboard", "assistant", "developer", "admin", "administrator", "operator", "instructions?", "inst", "user[-_]message"];
const ROLE = `(?:${ROLE_WORDS.join("|")})`;
/** Line labels are matched only capitalized or in capitals, so `system: true` in YAML stays as it is. */
const LABEL_WORDS = ["System", "Gateway", "Switchboard", "Assistant", "Developer"];
const LABEL = `(?:${LABEL_WORDS.flatMap((w) => [w, w.toUpperCase()]).join("|")})`;

/** The role words capitalized or in capitals: as a tag glued to a word, these are never code. */
const CAPITALIZED_ROLE = `(?:${ROLE_WORDS.flatMap((w) => [w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)]).join("|")})`;

const FULLWIDTH: Record<string, string> = { "[": "［", "]": "］", "<": "＜", ">": "＞", "|": "｜", ":": "：" };
const toFullwidth = (text: string) => text.replace(/[[\]<>|:]/g, (c) => FULLWIDTH[c]!);
const angles = (text: string) => text.replace(/[<>]/g, (c) => FULLWIDTH[c]!);

const rules: Array<[RegExp, (match: string, ...groups: string[]) => string]> = [
  // [System Message], [SYSTEM], [INST] … [/INST]; not `[system docs](url)` (a link), nor `roles[system]`
  // (code: a word right before it), though "hi[SYSTEM]" and "hi[System note]" are still caught.
  [new RegExp(String.raw`(?<![\w\]])\[\s*\/?\s*${ROLE}\b[^\]\n]{0,60}\](?!\()`, "gi"), (m) => toFullwidth(m)],
  [new RegExp(String.raw`\[\s*\/?\s*${CAPITALIZED_ROLE}\b[^\]\n]{0,60}\](?!\()`, "g"), (m) => toFullwidth(m)],
  // Llama 2's (before the tags below, which would take its inner <SYS>) <<SYS>> … <</SYS>>.
  [/<<\s*\/?\s*SYS\s*>>/gi, angles],
  // <system>, </system>, <system-reminder>, <user-message>, also glued to a word ("hi<system>");
  // but not `List<System>` (a capitalized type parameter right after a name is code).
  [new RegExp(String.raw`<\s*\/\s*${ROLE}\b[^<>\n]{0,80}>|(?<!\w)<\s*${ROLE}\b[^<>\n]{0,80}>`, "gi"), angles],
  [new RegExp(String.raw`<${ROLE}\b[^<>\n]{0,80}>`, "g"), angles],
  // Chat-template tokens: <|im_start|>, <|system|>, <|eot_id|>, and the full-width-bar variants.
  [/<[|｜][^|｜<>\n]{1,40}[|｜]>/g, (m) => toFullwidth(m)],
  // A line that opens as another speaker: "System: …", "ASSISTANT:", "> System message: …".
  [new RegExp(String.raw`^([ \t>*_#-]*${LABEL}(?:[ \t]+[A-Za-z]+){0,2}[ \t]*):`, "gm"), (_m, head) => `${head}：`],
];

/** The text with every spoofed marker made harmless; text without one comes back unchanged. */
export function neutralizeMarkers(text: string): string {
  let out = text;
  for (const [pattern, replace] of rules) out = out.replace(pattern, replace);
  return out;
}

/**
 * The text an agent gets for one message: the user's text, neutralized, and when the gateway
 * has something to say first (`instruction`), that, then the user's text in `<user-message>` tags.
 */
export function agentText(instruction: string | undefined, userText: string): string {
  const text = neutralizeMarkers(userText);
  if (instruction === undefined || instruction.trim() === "") return text;
  return `${instruction}\n\n${USER_MESSAGE_OPEN}\n${text}\n${USER_MESSAGE_CLOSE}`;
}
