/**
 * The accept middleware for abuse limits. In order: size caps (413), the loop guard (a burst
 * from one sender pauses them for a cooldown), the per-sender and the per-channel rate (429).
 * A refused message is refused before anything is stored, with a reason that says when to try
 * again. Buckets live in the store, so gateways sharing a Redis store share them.
 */
import type { AcceptContext } from "../accept.ts";
import type { Middleware } from "../middleware.ts";
import type { Logger } from "../log.ts";
import { messageKey } from "../envelope.ts";
import type { Store } from "../../store/store.ts";
import type { BucketVerdict } from "./token-bucket.ts";
import type { ChannelLimits, Rate } from "./config.ts";

export interface AbuseGuardDeps {
  store: Pick<Store, "takeTokens" | "getMessage">;
  log: Logger;
  /** The limits of one channel (defaults merged with its overrides). */
  limits: (channel: string) => ChannelLimits;
  now?: () => number;
}

/** Bucket names: parts are encoded, so a `:` in a channel or sender id cannot make two keys meet. */
const part = (value: string) => encodeURIComponent(value);

export function abuseGuard(deps: AbuseGuardDeps): Middleware<AcceptContext> {
  const now = deps.now ?? Date.now;
  return async (ctx, next) => {
    const { envelope } = ctx;
    // Limits protect the agents from platform senders; what the gateway itself sends first is the operator's.
    if (envelope.sender.origin !== undefined) return next();
    const limits = deps.limits(envelope.channel);
    const cap = capViolation(envelope.text, envelope.attachments.length, limits);
    if (cap !== undefined) {
      ctx.reject(cap, 413);
      return;
    }

    const channel = part(envelope.channel);
    // A linked user (identityLinks) is one sender on every channel; others are one per channel.
    const identity = envelope.sender.identity;
    const sender = identity !== undefined ? `*:user:${part(identity)}` : `${channel}:${part(envelope.sender.id)}`;
    const at = now();
    const refusal = async (): Promise<{ reason: string; retryAfterMs: number } | undefined> => {
      if (limits.loopGuard) {
        const { burst, withinMs, cooldownMs } = limits.loopGuard;
        const verdict = await deps.store.takeTokens(`loop:${sender}`, { capacity: burst, refillPerSecond: (burst * 1000) / withinMs, cost: 1, now: at, cooldownMs });
        if (verdict.tripped) {
          // Once per cooldown (on whichever gateway tripped it), not once per refused message.
          deps.log.warn("loop guard tripped: refusing a sender's messages for a while", {
            channel: envelope.channel,
            sender: envelope.sender.id,
            messageKey: messageKey(envelope.channel, envelope.eventId),
            burst,
            withinMs,
            cooldownMs,
          });
        }
        if (!verdict.allowed) return { reason: `too many messages in a short time; this sender is paused, ${tryAgain(verdict)}`, retryAfterMs: verdict.retryAfterMs };
      }
      if (limits.perSender) {
        const verdict = await take(deps, `sender:${sender}`, limits.perSender, at);
        if (!verdict.allowed) return { reason: `rate limit: at most ${describeRate(limits.perSender)} from one sender; ${tryAgain(verdict)}`, retryAfterMs: verdict.retryAfterMs };
      }
      if (limits.perChannel) {
        const verdict = await take(deps, `channel:${channel}`, limits.perChannel, at);
        if (!verdict.allowed) return { reason: `rate limit: this channel takes at most ${describeRate(limits.perChannel)}; ${tryAgain(verdict)}`, retryAfterMs: verdict.retryAfterMs };
      }
      return undefined;
    };

    const refused = await refusal();
    // A platform's redelivery of a message already accepted gets its usual duplicate answer.
    if (refused !== undefined && (await deps.store.getMessage(envelope.channel, envelope.eventId)) === undefined) {
      deps.log.debug("message refused by a rate limit", { channel: envelope.channel, sender: envelope.sender.id, messageKey: messageKey(envelope.channel, envelope.eventId), reason: refused.reason });
      ctx.reject(refused.reason, 429, refused.retryAfterMs);
      return;
    }
    await next();
  };
}

function capViolation(text: string, attachments: number, limits: ChannelLimits): string | undefined {
  if (text.length > limits.maxMessageChars) {
    return `message too long: ${text.length} characters, the limit is ${limits.maxMessageChars}; send it in parts or as a file`;
  }
  if (attachments > limits.maxAttachments) {
    return `too many attachments: ${attachments}, the limit is ${limits.maxAttachments}`;
  }
  return undefined;
}

function take(deps: AbuseGuardDeps, key: string, rate: Rate, now: number): Promise<BucketVerdict> {
  return deps.store.takeTokens(key, { capacity: rate.count, refillPerSecond: (rate.count * 1000) / rate.perMs, cost: 1, now });
}

const units: Array<[number, string]> = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [1000, "second"]];

/** `20 messages per minute`, `5 messages per 10 seconds`. */
export function describeRate(rate: Rate): string {
  const messages = `${rate.count} message${rate.count === 1 ? "" : "s"}`;
  for (const [ms, name] of units) {
    if (rate.perMs % ms === 0) {
      const n = rate.perMs / ms;
      return `${messages} per ${n === 1 ? name : `${n} ${name}s`}`;
    }
  }
  return `${messages} per ${rate.perMs} ms`;
}

function tryAgain(verdict: BucketVerdict): string {
  return `try again in ${Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))} s`;
}
