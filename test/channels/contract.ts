/**
 * The channel contract suite: what every channel must do, whatever its platform. Each channel's
 * own test file runs it with a factory; platform behaviour is tested beside it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Channel } from "../../src/core/channel.ts";
import { GatewayEvents } from "../../src/core/events.ts";
import { silentLogger } from "../../src/core/log.ts";
import type { ChannelContext } from "../../src/core/channel.ts";
import type { Envelope } from "../../src/core/envelope.ts";

/** A context that records what the channel accepted, as the gateway would see it. */
export function recordingContext(): ChannelContext & { accepted: Envelope[] } {
  const accepted: Envelope[] = [];
  return {
    accepted,
    accept: async (envelope) => {
      accepted.push(envelope);
      return { status: "accepted", messageKey: `${envelope.channel}:${envelope.eventId}`, messageId: "m1", sessionId: "s1", agent: "a" };
    },
    lookup: async () => undefined,
    sessions: { get: async () => undefined, transcript: async () => [] },
    subagents: { get: async () => undefined },
    state: { get: async () => undefined, set: async () => {} },
    leases: { acquire: async () => true, release: async () => {} },
    events: new GatewayEvents(),
    log: silentLogger,
  };
}

export function runChannelContract(name: string, create: (id: string) => Channel): void {
  describe(`${name}: the channel contract`, () => {
    it("has an id, a type, capabilities and a positive length limit", () => {
      const channel = create("contract-1");
      assert.equal(channel.id, "contract-1");
      assert.match(channel.type, /^[a-z][a-z0-9-]*$/);
      for (const flag of ["edit", "stream", "threads", "typing"] as const) assert.equal(typeof channel.capabilities[flag], "boolean", flag);
      assert.ok(channel.maxMessageLength > 0);
      assert.equal(channel.capabilities.edit, typeof channel.edit === "function", "edit capability matches an edit method");
      assert.equal(channel.capabilities.typing, typeof channel.typing === "function", "typing capability matches a typing method");
    });

    it("formats markdown into a string without losing the words", () => {
      const formatted = create("contract-2").format("**Bold** and `code` and a [link](https://example.com)");
      assert.equal(typeof formatted, "string");
      for (const word of ["Bold", "code", "link"]) assert.ok(formatted.includes(word), word);
    });

    it("starts and stops, and stopping twice is harmless", async () => {
      const channel = create("contract-3");
      await channel.start(recordingContext());
      await channel.stop();
      await channel.stop();
    });

    it("answers an unknown webhook subpath with a 404 JSON reason, and never throws", async () => {
      const channel = create("contract-4");
      if (!channel.handleRequest) return;
      await channel.start(recordingContext());
      try {
        const response = await channel.handleRequest({ request: new Request("http://gw/channels/contract-4/no/such/path"), subpath: "/no/such/path", bodyLimit: 1024 });
        assert.equal(response.status, 404);
        assert.ok(((await response.json()) as { error?: string }).error);
      } finally {
        await channel.stop();
      }
    });
  });
}
