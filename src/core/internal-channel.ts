/**
 * A channel with no platform behind it, for messages the gateway makes itself (delegations to
 * sub-agents). Its replies are read from the store and the event bus, so delivery only records them.
 */
import type { Channel, SentMessage } from "./channel.ts";

export class InternalChannel implements Channel {
  readonly id: string;
  readonly type = "internal";
  readonly capabilities = { edit: false, stream: true, threads: false, typing: false };
  readonly maxMessageLength = Number.POSITIVE_INFINITY;

  constructor(id: string) {
    this.id = id;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  format(markdown: string): string {
    return markdown;
  }

  async send(): Promise<SentMessage> {
    return {};
  }
}

/** The channel delegations run on. */
export const SUBAGENT_CHANNEL = "_subagents";
