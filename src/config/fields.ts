/**
 * Field types shared by the config schema and the config entries that live beside their
 * channels and agents: durations, sizes, thread strategies, agent settings.
 */
import { z } from "zod";
import { parseBytes, parseDuration } from "./duration.ts";
import { integer } from "./coerce.ts";

export const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a duration (use e.g. 30s, 10m, 24h, or seconds)` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: "A duration: seconds as a number, or a string like 500ms, 30s, 10m, 24h, 7d." });

export const bytes = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = parseBytes(value);
  if (n === undefined) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a size (use e.g. 512kb, 1mb, or bytes)` });
    return z.NEVER;
  }
  return n;
});


export const stringOrList = z.union([z.string(), z.array(z.string()).min(1)]);

const mcpServer = z.strictObject({
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** Settings that vary per channel and per user; the chain is channel > user > the agent's own config. */
export const agentSettingsSchema = z
  .strictObject({
    model: z.string().optional(),
    permissionMode: z.string().optional(),
    mcpServers: z.record(z.string(), mcpServer).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  })
  .meta({ description: "Agent settings: model, permissionMode, mcpServers, env, cwd. Channel settings win over user settings, which win over the agent's own config." });

export const busyPolicy = z.enum(["queue", "collect", "interrupt"]);
export const threadStrategy = z.enum(["new", "per_user", "per_channel", "per_session", "singleton", "existing"]);

/**
 * Who may talk through a channel (src/core/access/policy.ts). Platform channels deny by
 * default: unknown senders get a pairing code; `open` must be written out.
 */
export const accessSchema = z
  .strictObject({
    /** allowlist: only `allow` and `groups`. pairing: also senders an admin approved; strangers in a DM get a code. open: everyone. disabled: no one. */
    policy: z.enum(["allowlist", "pairing", "open", "disabled"]).default("pairing"),
    /** Sender ids or email addresses always let in (except when disabled). */
    allow: z.array(z.string().min(1)).default([]),
    /** Group conversations (rooms, chats, channels) whose members may all talk. */
    groups: z.array(z.string().min(1)).default([]),
    /** A sender who is not let in gets one polite reply per hour (reply), nothing (silent), or is logged for admins (notify). */
    unmatched: z.enum(["reply", "silent", "notify"]).default("reply"),
    pairing: z
      .strictObject({
        /** How long a pairing code stays valid. */
        ttl: duration.default(3_600_000),
        /** Pending codes a channel may hold; beyond it new senders get none until some expire or are approved. */
        maxPending: integer(1, 10_000).default(20),
      })
      .prefault({}),
  });
