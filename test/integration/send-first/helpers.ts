/**
 * What every send-first test does: send a first message through a channel's own `send` to the
 * address its `resolveTarget` gave, check that a bad target is refused with a clear error, and
 * find the session a user's reply to that message landed in.
 */
import assert from "node:assert/strict";
import type { Address, Channel, SentMessage } from "../../../src/core/channel.ts";
import { makeEnvelope, type ConversationKind } from "../../../src/core/envelope.ts";
import { SwitchboardError } from "../../../src/core/errors.ts";
import { defaultStrategy, sessionTarget } from "../../../src/core/thread-key.ts";
import type { SessionRecord, ThreadKey } from "../../../src/store/store.ts";
import { waitFor, type TestGateway } from "../../helpers/gateway.ts";

let sends = 0;

/** A first message, rendered and sent the way the outbox sends a reply (one part, seq 0). */
export async function sendFirst(channel: Channel, to: Address, markdown: string): Promise<SentMessage> {
  sends += 1;
  return channel.send({ to, text: channel.format(markdown), idempotencyKey: `send-first-${process.pid}-${Date.now()}-${sends}:0`, sessionId: `proactive-${sends}` });
}

/** `resolveTarget` refuses `to` with this status, and a message matching `message`. */
export async function assertRefused(channel: Channel, to: string, status: number, message: RegExp): Promise<SwitchboardError> {
  let caught: unknown;
  try {
    await channel.resolveTarget!(to);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SwitchboardError, `"${to}" should be refused with a SwitchboardError, got ${String(caught)}`);
  assert.equal(caught.status, status, `status for "${to}": ${caught.message}`);
  assert.match(caught.message, message);
  return caught;
}

/**
 * The thread key a reply to a first message sent to `to` maps to, worked out from the address
 * alone, as the gateway does for an incoming message: the lead's outbound send can open (or find)
 * the session the conversation will continue in.
 */
export function threadKeyFor(channel: string, to: Address, kind: ConversationKind, agent: string, thread = to.thread): ThreadKey {
  const envelope = makeEnvelope({
    channel,
    source: "send-first",
    eventId: "reply",
    sender: { id: to.user ?? to.conversation },
    text: "",
    conversation: { id: to.conversation, kind },
    ...(thread !== undefined ? { thread } : {}),
  });
  const target = sessionTarget(envelope, agent, defaultStrategy(envelope));
  if (!("threadKey" in target)) throw new Error("a default strategy always has a thread key");
  return target.threadKey;
}

/** The session an accepted message went to, once the gateway has accepted it. */
export async function sessionOf(t: TestGateway, channel: string, eventId: string): Promise<SessionRecord> {
  const store = t.gw.gateway.store;
  const item = await waitFor(() => store.getMessage(channel, eventId), { what: `message ${eventId} accepted on ${channel}` });
  const session = await store.getSession(item.sessionId);
  assert.ok(session, `session ${item.sessionId} exists`);
  return session;
}
