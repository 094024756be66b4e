/**
 * Gateway events shared between the gateways on one Redis, over pub/sub: a client waiting on one
 * gateway for a reply (the HTTP API, SSE, WebSocket, web chat) sees the turn even when another
 * gateway runs it. Pub/sub is best effort (a message published while a subscriber reconnects is
 * lost), so waiting clients also read the final reply from the store (core/reply-stream.ts).
 */
import type { Redis } from "ioredis";
import type { SharedEvents } from "../store.ts";

export class RedisSharedEvents implements SharedEvents {
  readonly #redis: Redis;
  readonly #channel: string;
  #subscriber: Redis | undefined;

  constructor(redis: Redis, channel: string) {
    this.#redis = redis;
    this.#channel = channel;
  }

  async publish(payload: string): Promise<void> {
    await this.#redis.publish(this.#channel, payload);
  }

  async subscribe(onMessage: (payload: string) => void): Promise<void> {
    // A connection in subscriber mode can run no other command: it gets one of its own.
    const subscriber = (this.#subscriber ??= this.#redis.duplicate());
    subscriber.on("message", (channel: string, payload: string) => {
      if (channel === this.#channel) onMessage(payload);
    });
    await subscriber.subscribe(this.#channel);
  }

  async close(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
