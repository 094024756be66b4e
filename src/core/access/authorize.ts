/**
 * The accept middleware that enforces each channel's access policy, before anything is stored.
 * A sender who is not let in never reaches an agent: the message is refused (403), and,
 * depending on the policy, the sender gets a pairing code or one polite reply. Replies to
 * turned-away senders are limited to one per sender per quiet period, so the bot never floods a
 * room; the log names the channel and sender, never the text.
 */
import type { AcceptContext } from "../accept.ts";
import type { Address, Channel } from "../channel.ts";
import type { Envelope } from "../envelope.ts";
import { messageKey } from "../envelope.ts";
import type { GatewayEvents } from "../events.ts";
import type { Logger } from "../log.ts";
import type { Middleware } from "../middleware.ts";
import type { AuditEntry, Store } from "../../store/store.ts";
import { decideAccess, type AccessPolicy } from "./policy.ts";
import { newPairingCode } from "./pairing-code.ts";

export interface AuthorizeDeps {
  store: Store;
  /** The channel's policy; channels without one (trusted API callers, code) are not checked. */
  policyOf: (channelId: string) => AccessPolicy | undefined;
  channel: (channelId: string) => Channel | undefined;
  events: GatewayEvents;
  log: Logger;
  /** Records who was let in or turned away (audit.ts). */
  audit: (entry: Omit<AuditEntry, "at">) => void;
  /** How long a turned-away sender hears nothing more from us after a reply. */
  replyQuietMs?: number;
}

export const accessReplies = {
  pairing: (code: string, minutes: number) =>
    `Hi! I don't know you yet. To talk to me, ask an admin to approve this code within ${minutes} minutes: ${code}`,
  pairingFull: "Hi! I can't take new pairing requests right now. Please try again later.",
  denied: "Sorry, you are not allowed to talk to this agent here.",
};

/** Remembered replies, so a sender who keeps writing is not answered every time. */
const MAX_REMEMBERED = 10_000;

export function authorizeSenders(deps: AuthorizeDeps): Middleware<AcceptContext> {
  const quietMs = deps.replyQuietMs ?? 3_600_000;
  const repliedAt = new Map<string, number>();

  const replyOnce = (envelope: Envelope, text: string, force = false) => {
    const key = `${envelope.channel}\u0000${envelope.sender.id}`;
    const now = Date.now();
    const last = repliedAt.get(key);
    if (!force && last !== undefined && now - last < quietMs) return;
    if (repliedAt.size >= MAX_REMEMBERED) repliedAt.delete(repliedAt.keys().next().value!);
    repliedAt.delete(key);
    repliedAt.set(key, now);
    const channel = deps.channel(envelope.channel);
    if (!channel) return;
    const to: Address = {
      conversation: envelope.conversation.id,
      user: envelope.sender.id,
      ...(envelope.thread !== undefined ? { thread: envelope.thread } : {}),
      ...(envelope.replyRef !== undefined ? { ref: envelope.replyRef } : {}),
    };
    // Best effort and off the ack path: a sender who missed it gets it on a later message.
    channel.send({ to, text: channel.format(text), idempotencyKey: `access:${envelope.eventId}`, sessionId: "" }).catch((error: unknown) => {
      repliedAt.delete(key);
      deps.log.warn("could not answer a sender who was not let in", { channel: envelope.channel, sender: envelope.sender.id, error });
    });
  };

  return async (ctx, next) => {
    const { envelope } = ctx;
    const channel = envelope.channel;
    const actor = envelope.sender.id;
    const admit = async () => {
      await next();
      // What the rest of the accept made of it (later middleware such as rate limits may refuse).
      const result = ctx.result;
      const identity = envelope.sender.identity;
      if (result?.status === "accepted") deps.audit({ kind: "accepted", channel, actor, sessionId: result.sessionId, ...(identity !== undefined ? { subject: identity } : {}) });
      else if (result?.status === "rejected") deps.audit({ kind: "rejected", channel, actor, reason: result.reason });
      else if (result === undefined) deps.audit({ kind: "rejected", channel, actor, reason: "refused by middleware" });
    };
    const access = deps.policyOf(channel);
    // The gateway speaking first (a schedule, a proactive send) is no stranger to let in.
    if (!access || envelope.sender.origin !== undefined) return admit();
    const approved = access.policy === "pairing" ? await deps.store.isSenderApproved(channel, actor) : false;
    const decision = decideAccess(access, envelope, approved);
    if (decision.verdict === "allow") return admit();

    if (decision.verdict === "pair") {
      const request = await requestPairing(deps.store, access, envelope);
      if (!request) {
        deps.log.warn("pairing refused: too many pending requests on this channel", { channel, sender: actor, messageKey: messageKey(channel, envelope.eventId) });
        deps.audit({ kind: "rejected", channel, actor, reason: "too many pending pairing requests" });
        replyOnce(envelope, accessReplies.pairingFull);
        return ctx.reject("this channel takes no new pairing requests right now; try again later", 403);
      }
      if (request.issued) {
        deps.audit({ kind: "pairing.requested", channel, actor });
        deps.log.info("pairing code issued", { channel, sender: actor, messageKey: messageKey(channel, envelope.eventId) });
        deps.events.publish({ type: "access.pairing", channel, senderId: actor, senderName: envelope.sender.name });
      }
      deps.audit({ kind: "rejected", channel, actor, reason: "pairing required" });
      replyOnce(envelope, accessReplies.pairing(request.code, Math.max(1, Math.round((request.expiresAt - Date.now()) / 60_000))), request.issued);
      return ctx.reject(`pairing required: ask an admin to approve code ${request.code}`, 403);
    }

    deps.events.publish({ type: "access.denied", channel, senderId: actor, reason: decision.reason });
    deps.audit({ kind: "rejected", channel, actor, reason: decision.reason });
    if (access.unmatched === "notify") {
      deps.log.warn("sender not allowed", { channel, sender: actor, messageKey: messageKey(channel, envelope.eventId), conversation: envelope.conversation.id, reason: decision.reason });
    } else {
      deps.log.info("sender not allowed", { channel, sender: actor, messageKey: messageKey(channel, envelope.eventId), reason: decision.reason });
      if (access.unmatched === "reply" && !decision.quiet) replyOnce(envelope, accessReplies.denied);
    }
    return ctx.reject(decision.reason, 403);
  };
}

/** The sender's pending code, or a new one; undefined when the channel is at its cap. */
async function requestPairing(store: Store, access: AccessPolicy, envelope: Envelope): Promise<{ code: string; expiresAt: number; issued: boolean } | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const outcome = await store.requestPairing({
      channel: envelope.channel,
      senderId: envelope.sender.id,
      ...(envelope.sender.name !== undefined ? { senderName: envelope.sender.name } : {}),
      code: newPairingCode(),
      now: Date.now(),
      ttlMs: access.pairing.ttlMs,
      maxPending: access.pairing.maxPending,
    });
    if (outcome.status === "full") return undefined;
    if (outcome.status !== "taken") return { code: outcome.request.code, expiresAt: outcome.request.expiresAt, issued: outcome.status === "issued" };
  }
  throw new Error("could not find a free pairing code");
}
