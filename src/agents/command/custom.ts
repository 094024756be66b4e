/**
 * A custom CLI: `args` is the whole argv, with `{prompt}` and `{session}` replaced (inside
 * arguments too, e.g. `--message={prompt}`). Without a `{prompt}`, the prompt goes to stdin.
 * `{session}` is the id the CLI reported last turn (stream-json), else the gateway's session id.
 * Output is plain text streamed as it comes (the answer is all of stdout), or Claude Code style
 * stream-json.
 */
import { claudeStreamParser } from "./claude.ts";
import type { Preset, PresetRequest, StreamParser } from "./preset.ts";

export function customPreset(output: "text" | "stream-json"): Preset {
  return {
    name: "custom",
    command: undefined,
    mcpConfig: false,
    invocation(request: PresetRequest) {
      const session = request.resume ?? request.gatewaySessionId;
      const hasPrompt = request.args.some((a) => a.includes("{prompt}"));
      // One pass, so a prompt that itself contains "{session}" is left as written.
      const argv = request.args.map((a) => a.replace(/\{(prompt|session)\}/g, (_, name: string) => (name === "prompt" ? request.prompt : session)));
      return hasPrompt ? { argv } : { argv, stdin: request.prompt };
    },
    parser: () => (output === "stream-json" ? claudeStreamParser("custom") : textParser()),
  };
}

function textParser(): StreamParser {
  let all = "";
  return {
    mode: "chunks",
    parse(chunk) {
      all += chunk;
      return chunk ? [{ kind: "event", event: { type: "text.delta", text: chunk } }] : [];
    },
    end: (exitCode) => (exitCode === 0 ? [{ kind: "result", text: all.trimEnd() }] : []),
  };
}
