/**
 * The gateway speaking first: a one-off message (`switchboard message send`, the API, an agent's
 * MCP tool) or a scheduled run. Either becomes an ordinary accepted message on the target channel,
 * so it gets what every message gets: dedupe on its id (one send, however often it is retried),
 * the session a reply from that person or room will continue, its lane, and delivery through the
 * outbox with retries. Its sender carries an `origin` that only this code sets: access policies and
 * abuse limits are for platform senders, and a `send` is delivered as written, with no agent.
 */
import { randomUUID } from "node:crypto";
import type { Address, Channel } from "./channel.ts";
import type { Envelope, Sender } from "./envelope.ts";
import { RequestError, SwitchboardError } from "./errors.ts";
import type { Gateway } from "./gateway.ts";

/** Longest proactive text; platforms split what they must, this only stops a runaway caller. */
export const MAX_PROACTIVE_TEXT = 100_000;

export interface ProactiveSend {
  channel: string;
  /** The target as a person writes it: `#dev-updates`, an email address, `owner/repo#12`, a chat id… */
  to: string;
  text: string;
  /** Who asked (`admin:cli`, `admin:api`, `agent:<id>`), for the log and the audit. */
  by: string;
  /** Idempotency key: the same id twice sends once. */
  id?: string;
}

export interface ProactiveResult {
  messageId: string;
  sessionId: string;
  status: "accepted" | "duplicate";
  eventId: string;
  to: Address;
}

/** The channel and the resolved address of a target, or a clear error (404 channel, 400/404/422 target). */
export async function resolveTarget(gateway: Gateway, channelId: string, to: string): Promise<{ channel: Channel; address: Address }> {
  const channel = gateway.getChannel(channelId);
  if (!channel) throw new RequestError(404, `no channel "${channelId}" (channels: ${gateway.listChannels().map((c) => c.id).filter((id) => !id.startsWith("__")).join(", ")})`);
  if (!channel.resolveTarget) throw new RequestError(400, `channel "${channelId}" is a ${channel.type} channel, which cannot send first (it only answers)`);
  if (to.trim() === "") throw new RequestError(400, "give a target (to): where on the channel the message goes");
  return { channel, address: await channel.resolveTarget(to.trim()) };
}

/** An envelope that makes `channel` deliver to `address` first. */
export function proactiveEnvelope(channel: Channel, address: Address, fields: { eventId: string; text: string; sender: Sender; agent?: string; session?: string }): Envelope {
  return {
    channel: channel.id,
    source: channel.type,
    eventId: fields.eventId,
    conversation: { id: address.conversation, kind: address.user !== undefined ? "dm" : "group" },
    ...(address.thread !== undefined ? { thread: address.thread } : {}),
    sender: fields.sender,
    text: fields.text,
    attachments: [],
    mentions: [],
    receivedAt: Date.now(),
    replyTo: address,
    ...(fields.agent !== undefined || fields.session !== undefined ? { hints: { ...(fields.agent !== undefined ? { agent: fields.agent } : {}), ...(fields.session !== undefined ? { session: fields.session } : {}) } } : {}),
  };
}

/** Queue one message to a target, durably; it is delivered by the outbox like any reply. */
export async function sendFirst(gateway: Gateway, message: ProactiveSend): Promise<ProactiveResult> {
  if (typeof message.text !== "string" || message.text.trim() === "") throw new RequestError(400, "give the text to send");
  if (message.text.length > MAX_PROACTIVE_TEXT) throw new RequestError(413, `the text is over ${MAX_PROACTIVE_TEXT} characters`);
  if (message.id !== undefined && (message.id.length === 0 || message.id.length > 256)) throw new RequestError(400, "id: 1 to 256 characters");
  const { channel, address } = await resolveTarget(gateway, message.channel, message.to);
  const eventId = `send:${message.id ?? randomUUID()}`;
  // In a DM the message joins that person's session; elsewhere, the room's or thread's.
  const sender: Sender = { id: address.user ?? `gateway:${message.by}`, name: message.by, origin: "send" };
  const result = await gateway.accept(proactiveEnvelope(channel, address, { eventId, text: message.text, sender }));
  if (result.status === "rejected") throw new SwitchboardError(result.reason, { status: result.httpStatus });
  gateway.log.info("proactive message queued", { channel: channel.id, by: message.by, sessionId: result.sessionId, duplicate: result.status === "duplicate" });
  gateway.audit.record({ kind: "message.sent", channel: channel.id, actor: message.by, subject: message.to, sessionId: result.sessionId });
  return { messageId: result.messageId, sessionId: result.sessionId, status: result.status, eventId, to: address };
}

/**
 * Wait until the message's turn committed and its reply left the outbox: `finished` once the turn
 * is done, then resolved once every part was sent, or thrown when the turn or a delivery failed.
 */
export async function awaitDelivery(gateway: Gateway, channelId: string, eventId: string, options: { signal?: AbortSignal; finished?: (sessionId: string) => Promise<void>; pollMs?: number } = {}): Promise<string> {
  const { store } = gateway;
  let finishedCalled = false;
  for (;;) {
    if (options.signal?.aborted) throw new SwitchboardError("stopped before the reply was delivered", { status: 503 });
    const item = await store.getMessage(channelId, eventId);
    if (item && item.status !== "pending") {
      if (item.status !== "done") throw new SwitchboardError(`the turn ${item.status}${item.reply ? `: ${item.reply}` : ""}`, { status: 502 });
      if (!finishedCalled) {
        finishedCalled = true;
        await options.finished?.(item.sessionId);
      }
      const parts = (await store.listOutbox(item.sessionId)).filter((o) => o.key.startsWith(`${item.id}:`));
      const failed = parts.find((o) => o.status === "failed");
      if (failed) throw new SwitchboardError(`delivery failed: ${failed.lastError ?? "unknown error"}`, { status: 502 });
      if (parts.every((o) => o.status === "sent")) return item.sessionId;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
