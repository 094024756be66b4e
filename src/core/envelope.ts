/**
 * The envelope: one platform message normalized into the shape the pipeline works on.
 * Channel adapters build envelopes at ingress; nothing after ingress sees platform payloads
 * except through `raw`.
 */
import type { Address } from "./channel.ts";

export interface Sender {
  id: string;
  name?: string;
  email?: string;
  /** The platform says a bot (or app) wrote it. */
  bot?: boolean;
  /** The gateway user this sender is linked to (`identityLinks`), set at accept. */
  identity?: string;
  /**
   * Set only by the gateway itself, never from platform input: the message was not written on the
   * platform but made to speak first. `send`: deliver the text as it is, no agent runs.
   * `schedule`: a scheduled run; the agent answers the text (its instruction).
   */
  origin?: "send" | "schedule";
}

export interface Attachment {
  name: string;
  mimeType?: string;
  size?: number;
  url?: string;
}

export type ConversationKind = "dm" | "group";

export interface Conversation {
  /** The room, DM, PR or mail thread on the platform. */
  id: string;
  kind: ConversationKind;
}

/** What an API caller (not a platform) may pin down explicitly; routing still applies to the rest. */
export interface EnvelopeHints {
  /** Continue this exact session (the `existing` thread strategy). */
  session?: string;
  /** Route to this agent instead of what the rules say. */
  agent?: string;
}

export interface Envelope {
  /** Id of the configured channel that received it, e.g. `api` or `slack-main`. */
  channel: string;
  /** The channel's type, e.g. `http`, `webchat`, `slack`: what `source_match` matches. */
  source: string;
  /** The platform's id for this event; (channel, eventId) is the dedupe key. */
  eventId: string;
  conversation: Conversation;
  /** The platform thread inside the conversation, when the platform has threads. */
  thread?: string;
  sender: Sender;
  text: string;
  attachments: Attachment[];
  mentions: string[];
  receivedAt: number;
  hints?: EnvelopeHints;
  /** Copied to the reply's `Address.ref`: what the channel needs to answer this message. */
  replyRef?: string;
  /** Where the reply goes when it is not back to the sender: a proactive message's resolved target. */
  replyTo?: Address;
  raw?: unknown;
}

export function isDirectMessage(env: Envelope): env is Envelope & { conversation: { kind: "dm" } } {
  return env.conversation.kind === "dm";
}

/** Fills the fields that most channels leave at their defaults. */
export function makeEnvelope(
  fields: Pick<Envelope, "channel" | "source" | "eventId" | "sender" | "text"> & Partial<Envelope>,
): Envelope {
  return {
    conversation: { id: fields.sender.id, kind: "dm" },
    attachments: [],
    mentions: [],
    receivedAt: Date.now(),
    ...fields,
  };
}

/** The key the event bus and the store use for one accepted message. */
export function messageKey(channel: string, eventId: string): string {
  return `${channel}:${eventId}`;
}
