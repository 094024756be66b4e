/**
 * The `sdk` channel: messages sent from code through `gateway.send()` and `gateway.stream()`
 * (and the CLI's in-process `send`). It has no network side; the caller gets the reply directly.
 */
import type { Channel, ChannelContext, SentMessage } from "../../core/channel.ts";

export class SdkChannel implements Channel {
  readonly id: string;
  readonly type = "sdk";
  readonly capabilities = { edit: false, stream: true, threads: false, typing: false };
  readonly maxMessageLength = Number.POSITIVE_INFINITY;
  context: ChannelContext | undefined;

  constructor(id = "sdk") {
    this.id = id;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.context = ctx;
  }

  async stop(): Promise<void> {
    this.context = undefined;
  }

  format(markdown: string): string {
    return markdown;
  }

  async send(): Promise<SentMessage> {
    return {};
  }
}
