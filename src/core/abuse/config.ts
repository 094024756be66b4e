/**
 * The `limits:` block of switchboard.yaml: rate limits, the loop guard and size caps, with
 * per-channel overrides. Rates are written `20/min`, `600/h`, `5/10s` or `{ count, per }`; `off`
 * turns a limit off (in a channel, one the defaults turn on).
 */
import { z } from "zod";
import { integer } from "../../config/coerce.ts";
import { duration } from "../../config/fields.ts";
import { parseDuration } from "../../config/duration.ts";

/** At most `count` messages per `perMs`, with bursts of up to `count`. */
export interface Rate {
  count: number;
  perMs: number;
}

const unitWords: Record<string, string> = {
  s: "1s", sec: "1s", second: "1s",
  m: "1m", min: "1m", minute: "1m",
  h: "1h", hr: "1h", hour: "1h",
  d: "1d", day: "1d",
};

/** `20/min`, `600/hour`, `5/10s`; undefined when it is not a rate. */
export function parseRate(text: string): Rate | undefined {
  const match = /^\s*(\d+)\s*(?:\/|per\s)\s*(.+?)\s*$/i.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = match[2]!.toLowerCase().replace(/s$/, "");
  const perMs = parseDuration(unitWords[unit] ?? match[2]!);
  if (count < 1 || perMs === undefined || perMs <= 0) return undefined;
  return { count, perMs };
}

export const rateSchema = z
  .union([
    // "off" is read here, not as a literal of its own, so a mistyped rate gets the message below;
    // the branches are in this order because a failed union reports its first closest branch.
    z.string().transform((value, ctx): Rate | false => {
      if (value.trim() === "off") return false;
      const rate = parseRate(value);
      if (rate === undefined) {
        ctx.addIssue({ code: "custom", message: `"${value}" is not a rate (use e.g. 20/min, 600/h, 5/10s, { count, per }, or off)` });
        return z.NEVER;
      }
      return rate;
    }),
    z.strictObject({ count: integer(1), per: duration.refine((ms) => ms > 0, "must be more than 0") }).transform(({ count, per }): Rate => ({ count, perMs: per })),
    z.literal(false),
  ])
  .meta({ description: "A rate: 20/min, 600/h, 5/10s, { count, per }, or off." });

const loopGuardSchema = z.union([
  // The object first: a failed union reports its first closest branch (see rateSchema).
  z
    .strictObject({
      /** This many messages from one sender… */
      burst: integer(1).default(10),
      /** …within this long trip the guard. */
      within: duration.refine((ms) => ms > 0, "must be more than 0").default(10_000),
      /** How long the sender is then refused. */
      cooldown: duration.default(5 * 60_000),
    })
    .transform(({ burst, within, cooldown }): LoopGuard => ({ burst, withinMs: within, cooldownMs: cooldown })),
  z.union([z.literal(false), z.literal("off")]).transform(() => false as const),
]);

export interface LoopGuard {
  burst: number;
  withinMs: number;
  cooldownMs: number;
}

const limitFields = {
  /** Messages one sender may send on one channel (token bucket: the count is also the burst). */
  perSender: rateSchema.optional(),
  /** Messages a whole channel takes, from everyone together. */
  perChannel: rateSchema.optional(),
  /** More than `burst` messages from one sender within `within` (bots answering bots) refuses them for `cooldown`. */
  loopGuard: loopGuardSchema.optional(),
  /** Longer text is refused (413), never cut. */
  maxMessageChars: integer(1).optional(),
  /** More attachments than this are refused (413). */
  maxAttachments: integer(0).optional(),
};

export const DEFAULT_MAX_MESSAGE_CHARS = 40_000;
export const DEFAULT_MAX_ATTACHMENTS = 20;

export const limitsSchema = z
  .strictObject({
    ...limitFields,
    maxMessageChars: integer(1).default(DEFAULT_MAX_MESSAGE_CHARS),
    maxAttachments: integer(0).default(DEFAULT_MAX_ATTACHMENTS),
    /** Overrides by channel id; what a channel leaves out comes from the defaults above. */
    channels: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, "channel ids use letters, digits, _ -"), z.strictObject(limitFields)).default({}),
  })
  .prefault({});

export type LimitsConfig = z.output<typeof limitsSchema>;

/** The limits one channel applies; an absent limit is off. */
export interface ChannelLimits {
  perSender: Rate | undefined;
  perChannel: Rate | undefined;
  loopGuard: LoopGuard | undefined;
  maxMessageChars: number;
  maxAttachments: number;
}

export function limitsFor(config: LimitsConfig, channel: string): ChannelLimits {
  const own = config.channels[channel] ?? {};
  const pick = <T>(value: T | false | undefined, fallback: T | false | undefined): T | undefined => {
    const chosen = value === undefined ? fallback : value;
    return chosen === false ? undefined : chosen;
  };
  return {
    perSender: pick(own.perSender, config.perSender),
    perChannel: pick(own.perChannel, config.perChannel),
    loopGuard: pick(own.loopGuard, config.loopGuard),
    maxMessageChars: own.maxMessageChars ?? config.maxMessageChars,
    maxAttachments: own.maxAttachments ?? config.maxAttachments,
  };
}
