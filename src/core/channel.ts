/**
 * The channel contract. A channel adapter authenticates and parses platform input into
 * envelopes (ingress), and renders and delivers outbound text (egress). Adding a platform means
 * implementing this interface in one folder under src/channels/.
 */
import type { Envelope } from "./envelope.ts";
import type { Logger } from "./log.ts";
import type { GatewayEvents } from "./events.ts";
import type { AcceptResult } from "./accept.ts";
import type { ExposureRecord, InboxItem, SessionRecord } from "../store/store.ts";
import type { TranscriptEntry } from "./agent.ts";
import type { ThreadStrategy } from "./router.ts";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

export interface ChannelCapabilities {
  /** Sent messages can be edited later (streaming by edits, "Processing…" → answer). */
  edit: boolean;
  /** Replies can be streamed to the user as they are produced. */
  stream: boolean;
  /** The platform has threads inside conversations. */
  threads: boolean;
  /** The platform can show a typing indicator. */
  typing: boolean;
}

/** Where a reply goes: the conversation (and thread) the message came from. */
export interface Address {
  conversation: string;
  thread?: string;
  user?: string;
  /** What the channel needs to answer that one message (e.g. a mail's Message-ID and subject), opaque to the core. */
  ref?: string;
}

export interface OutboundMessage {
  to: Address;
  /** Already rendered by the channel's `format`. */
  text: string;
  /** Idempotency key (`turnId:seq`); platforms that accept one get it. */
  idempotencyKey: string;
  sessionId: string;
}

/** The platform's handle on a sent message, for later edits. */
export interface SentMessage {
  platformId?: string;
}

/** What a channel sees of the gateway. */
export interface ChannelContext {
  /** Durable accept: returns only after the message is committed (or found to be a duplicate). */
  accept(envelope: Envelope): Promise<AcceptResult>;
  /** An accepted message and, once its turn completed, its reply. */
  lookup(channel: string, eventId: string): Promise<InboxItem | undefined>;
  /** Read access to sessions, for channels that show history (web chat). */
  sessions: {
    get(id: string): Promise<SessionRecord | undefined>;
    transcript(id: string): Promise<TranscriptEntry[]>;
  };
  /** This channel's own durable key-value state (checkpoints of mailboxes and pollers). */
  state: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
  };
  /**
   * Leases shared by every gateway instance on the same store, for work only one of them may do
   * (one Telegram long poll per bot). Names are global: include what identifies the resource.
   * `acquire` takes or renews the lease for `ttlMs`; keep renewing well before it runs out.
   */
  leases: {
    acquire(name: string, ttlMs: number): Promise<boolean>;
    release(name: string): Promise<void>;
  };
  /** Sub-agents an agent exposed to its user. */
  subagents: {
    get(id: string): Promise<ExposureRecord | undefined>;
  };
  events: GatewayEvents;
  log: Logger;
}

/** A fetch-style request as the HTTP server hands it to a channel, with the path below `/channels/<id>`. */
export interface ChannelRequest {
  request: Request;
  /** Largest body the server accepts; channels reading bodies answer 413 past it. */
  bodyLimit: number;
  /** The path under the channel's mount, always starting with `/`. */
  subpath: string;
}

export interface Channel {
  readonly id: string;
  readonly type: string;
  readonly capabilities: ChannelCapabilities;
  /** Longest text the platform takes in one message; longer replies are split. */
  readonly maxMessageLength: number;
  /** The thread strategy when no routing rule names one; per user in DMs, per thread elsewhere if unset. */
  readonly threadStrategy?: ThreadStrategy;

  start(ctx: ChannelContext): Promise<void>;
  stop(): Promise<void>;

  /** Webhook ingress at `/channels/<id>` (POST, and GET where the platform verifies with GET). */
  handleRequest?(req: ChannelRequest): Promise<Response>;
  /** WebSocket ingress at `/channels/<id>/…`; only where the gateway runs on a Node server. */
  handleUpgrade?(request: IncomingMessage, socket: Duplex, head: Buffer, subpath: string): void;

  /** Render the agent's markdown into the platform's format. */
  format(markdown: string): string;
  send(message: OutboundMessage): Promise<SentMessage>;
  edit?(to: Address, sent: SentMessage, text: string): Promise<void>;
  typing?(to: Address): Promise<void>;
  /**
   * Turn a target as a user writes it (`#dev-updates`, `ann@example.com`, `+4915…`) into the
   * address `send` takes, so the gateway can speak first. Throws a SwitchboardError (400, 404 or
   * 422) whose message says which forms this platform accepts. The address names the conversation
   * (and thread) that a reply to the first message arrives in, where the platform lets that be
   * known in advance; `user` is set exactly when that is a DM with that person. A channel
   * without it cannot send first.
   */
  resolveTarget?(to: string): Promise<Address>;
}
