/**
 * Gateway events shared between the gateways on one Redis, over pub/sub: a client waiting on one
 * gateway for a reply (the HTTP API, SSE, WebSocket, web chat) sees the turn even when another
 * gateway runs it. Pub/sub is best effort (a message published while a subscriber reconnects is
 * lost), so waiting clients also read the final reply from the store (core/reply-stream.ts).
 */
import type { Cluster, Redis } from "ioredis";
import type { RedisClient } from "./connect.ts";
import type { SharedEvents } from "../store.ts";

export class RedisSharedEvents implements SharedEvents {
  readonly #redis: RedisClient;
  readonly #channel: string;
  #subscriber: RedisClient | undefined;

  constructor(redis: RedisClient, channel: string) {
    this.#redis = redis;
    this.#channel = channel;
  }

  async publish(payload: string): Promise<void> {
    await this.#redis.publish(this.#channel, payload);
  }

  async subscribe(onMessage: (payload: string) => void): Promise<void> {
    // A connection in subscriber mode can run no other command: it gets one of its own.
    // Subscriptions are renewed by ioredis after a reconnect; retrying without limit keeps that
    // from failing while Redis restarts, and the error listener keeps each failed attempt quiet
    // (the store's own connection reports the outage).
    const subscriber = (this.#subscriber ??= duplicateForSubscribing(this.#redis));
    subscriber.on("error", () => undefined);
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

function duplicateForSubscribing(client: RedisClient): RedisClient {
  if (client.isCluster) return (client as Cluster).duplicate();
  return (client as Redis).duplicate({ maxRetriesPerRequest: null });
}
