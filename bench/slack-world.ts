/**
 * The Slack side of a benchmark: the Slack emulator (in this process) with its rate limits out of
 * the way, a population of users each in a DM with the bot, signed `message.im` Events API
 * bodies built ahead of time (so the load generator only sends), and a tally of the bot's replies
 * as the emulator's chat.postMessage receives them: when each arrived, and how many per message.
 */
import { startSlackEmulator, signedHeaders, type PostRecord, type SlackEmulator } from "../test/emulators/slack/index.ts";
import { eventCallback, messageEvent } from "../test/emulators/slack/payloads.ts";

/** Every message of a run carries a marker the echo handlers send back: `m<index>`. */
const MARKER = /\bm(\d+)\b/;

export interface SignedEvent {
  body: string;
  headers: Record<string, string>;
}

export interface ReplyTally {
  /** performance.now() of the first reply per message index (NaN: none yet). */
  firstReplyAt: Float64Array;
  /** Replies per message index. */
  replies: Uint16Array;
  /** Replies counted so far (all indexes). */
  total: number;
  /** Messages with at least one reply. */
  distinct: number;
  /** performance.now() of the latest reply. */
  lastReplyAt: number;
  /** Calls other than chat.postMessage with a marker (updates, placeholders). */
  other: number;
}

export interface SlackWorld {
  emulator: SlackEmulator;
  tally: ReplyTally;
  /** Build `count` signed DM events spread over `users` users, starting at message index `from`. */
  events(from: number, count: number, users: number): SignedEvent[];
  /**
   * Resolves once `count` distinct messages have a reply, or when no reply came for `settleMs`
   * (a server that dropped messages never gets there): no throw, the caller reports what is missing.
   */
  waitForReplies(count: number, settleMs: number): Promise<void>;
  close(): Promise<void>;
}

// The load is the point: no Slack tier should refuse it. A 1 ms window keeps the limiter's bookkeeping tiny.
const UNLIMITED = Object.fromEntries(["chat.postMessage", "chat.update", "users.info", "conversations.info", "assistant.threads.setStatus", "auth.test"].map((m) => [m, 1e9]));

export async function startSlackWorld(options: { users: number; messages: number }): Promise<SlackWorld> {
  const emulator = await startSlackEmulator({ rateLimits: UNLIMITED, rateLimitWindowMs: 1 });
  const ids = { teamId: emulator.teamId, appId: emulator.appId, botId: emulator.botId, botUserId: emulator.botUserId, verificationToken: emulator.verificationToken };
  for (let u = 0; u < options.users; u++) {
    emulator.addUser({ id: userId(u), name: `user${u}` });
    emulator.addChannel({ id: dmId(u), kind: "im", user: userId(u) });
  }
  const tally: ReplyTally = { firstReplyAt: new Float64Array(options.messages).fill(Number.NaN), replies: new Uint16Array(options.messages), total: 0, other: 0, distinct: 0, lastReplyAt: Number.NaN };

  // The emulator records every post in `posts`; counting at the push is counting as the reply lands.
  const posts = emulator.posts;
  const push = posts.push.bind(posts);
  posts.push = (...records: PostRecord[]) => {
    const now = performance.now();
    for (const record of records) {
      const index = record.method === "chat.postMessage" ? Number(MARKER.exec(record.text)?.[1] ?? -1) : -1;
      if (index < 0 || index >= options.messages) {
        tally.other++;
        continue;
      }
      if (tally.replies[index] === 0) {
        tally.firstReplyAt[index] = now;
        tally.distinct++;
      }
      tally.replies[index]!++;
      tally.total++;
      tally.lastReplyAt = now;
    }
    // Keep nothing: 20,000 posts per round would only grow the bench process.
    return push();
  };

  let clockSecond = Math.floor(Date.now() / 1000);
  return {
    emulator,
    tally,
    events(from, count, users) {
      const out: SignedEvent[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const index = from + i;
        const u = index % users;
        const ts = `${clockSecond}.${String(index).padStart(6, "0")}`;
        const event = messageEvent(ids, { user: userId(u), channel: dmId(u), text: `m${index}`, ts, channelType: "im" });
        const body = JSON.stringify(eventCallback(ids, event, `EvB${clockSecond}${index}`));
        out[i] = { body, headers: { "content-type": "application/json", ...signedHeaders(emulator.signingSecret, body) } };
      }
      clockSecond++;
      return out;
    },
    async waitForReplies(count, settleMs) {
      let seen = -1;
      let quietSince = performance.now();
      while (tally.distinct < count) {
        if (tally.total !== seen) {
          seen = tally.total;
          quietSince = performance.now();
        } else if (performance.now() - quietSince > settleMs) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => emulator.close(),
  };
}

export const userId = (u: number): string => `U${String(u).padStart(8, "0")}`;
export const dmId = (u: number): string => `D${String(u).padStart(8, "0")}`;
