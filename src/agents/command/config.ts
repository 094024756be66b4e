/**
 * The config entry of a `command` agent: a CLI coding agent (Claude Code, Codex, Gemini CLI,
 * OpenCode, or any program) run once per turn as a child process in a working directory.
 */
import { z } from "zod";
import { parseDuration } from "../../config/duration.ts";

export const commandPresets = ["claude", "codex", "gemini", "opencode", "custom"] as const;
export type CommandPreset = (typeof commandPresets)[number];

const durationInput = z
  .union([z.string(), z.number()])
  .refine((value) => parseDuration(value) !== undefined, { message: "not a duration (use e.g. 30s, 10m, or seconds)" });

const isolationSchema = z
  .strictObject({
    mode: z
      .enum(["none", "strict"])
      .optional()
      .meta({ description: "`none` (default): the CLI runs as the gateway's own Unix user. `strict`: it runs as the Unix user mapped to the person talking, and a turn of an unmapped person is refused." }),
    user: z.string().min(1).optional().meta({ description: "In strict mode: the Unix user for people without an entry in `userMap`." }),
    userMap: z
      .record(z.string(), z.string().min(1))
      .optional()
      .meta({ description: "In strict mode: gateway user id or email → Unix user name." }),
  })
  .meta({ description: "Which Unix user the CLI runs as. Strict mode needs the gateway to run as root." });

export const commandAgentSchema = z
  .strictObject({
    kind: z.literal("command"),
    preset: z
      .enum(commandPresets)
      .optional()
      .meta({ description: "Which CLI: claude (default), codex, gemini, opencode, or custom (`args` is the whole argv, with {prompt} and {session} substituted)." }),
    command: z.string().min(1).optional().meta({ description: "The executable; by default the preset's name (claude, codex, gemini, opencode). Required for custom." }),
    args: z
      .array(z.string())
      .optional()
      .meta({ description: "Extra arguments for a preset; for custom, the full argument list, where {prompt} and {session} are replaced (without {prompt}, the prompt goes to stdin)." }),
    cwd: z.string().min(1).optional().meta({ description: "Working directory (a worktree), relative to the config file. It must exist." }),
    env: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: "Environment variables for the CLI (API keys: write ${ENV}). Only PATH, HOME, locale and a few more are inherited from the gateway." }),
    timeout: durationInput.optional().meta({ description: "Kill the CLI (and everything it started) after this long; the gateway's turn timeout also applies." }),
    permissionMode: z.string().min(1).optional().meta({ description: "claude: --permission-mode; codex: --sandbox; gemini: --approval-mode." }),
    model: z.string().min(1).optional().meta({ description: "Model name passed to the CLI's --model." }),
    output: z
      .enum(["text", "stream-json"])
      .optional()
      .meta({ description: "custom only: the CLI prints plain text (default), or Claude Code style stream-json lines." }),
    isolation: isolationSchema.optional(),
    busy: z.enum(["queue", "collect", "interrupt"]).optional().meta({ description: "What a message does while a turn of its session runs." }),
    turnTimeout: z.union([z.string(), z.number()]).optional().meta({ description: "The gateway's turn timeout for this agent." }),
  })
  .superRefine((config, ctx) => {
    const preset = config.preset ?? "claude";
    if (preset === "custom" && config.command === undefined) {
      ctx.addIssue({ code: "custom", path: ["command"], message: "required when preset is custom" });
    }
    if (preset !== "custom" && config.output !== undefined) {
      ctx.addIssue({ code: "custom", path: ["output"], message: "only applies to preset custom" });
    }
  })
  .meta({ description: "A CLI coding agent run per turn as a child process." });

export type CommandAgentConfig = z.input<typeof commandAgentSchema>;
