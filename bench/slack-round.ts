/**
 * One round of a Slack scenario against one server: a fresh emulator and a fresh server process,
 * warm-up messages (a new process pays for compilation first), then the measured batch. CPU is
 * the server process's own (from /proc), from the first measured send until the last answer.
 */
import { cpuMs } from "./process-usage.ts";
import { sendLoad } from "./slack-load.ts";
import type { SlackTarget } from "./slack-targets.ts";
import { startSlackWorld } from "./slack-world.ts";
import { percentile } from "./stats.ts";

export interface SlackLoad {
  messages: number;
  warmup: number;
  /** Distinct senders, each in a DM with the bot (one session each). */
  users: number;
  connections: number;
  /** Requests per second (open loop); unset: as fast as answers come. */
  rate?: number;
  /** Wait for the bot's replies (end to end), or only for the HTTP answers (ack). */
  replies: boolean;
}

export interface SlackRound {
  /** Acks per second (ack) or replies per second, first send to last reply (end to end). */
  perSecond: number;
  cpuMsPerMessage: number;
  ackP50: number;
  ackP99: number;
  /** Send to the reply's arrival at chat.postMessage, ms. */
  replyP50: number;
  replyP99: number;
  unanswered: number;
  duplicates: number;
  failedRequests: number;
  firstFailure: string | undefined;
}

/** How long no new reply may come before the missing ones count as unanswered. */
const SETTLE_MS = 5_000;

export async function slackRound(target: SlackTarget, load: SlackLoad, options: { profileDir?: string } = {}): Promise<SlackRound> {
  const world = await startSlackWorld({ users: load.users, messages: load.warmup + load.messages });
  let running;
  try {
    running = await target.start(world, options);
    const send = (from: number, count: number) => sendLoad({ url: running!.eventsUrl, events: world.events(from, count, load.users), connections: load.connections, ...(load.rate ? { rate: load.rate } : {}) });

    if (load.warmup > 0) {
      await send(0, load.warmup);
      if (load.replies) await world.waitForReplies(load.warmup, SETTLE_MS);
    }
    const events = world.events(load.warmup, load.messages, load.users);
    const cpuBefore = cpuMs(running.pid);
    const sent = await sendLoad({ url: running.eventsUrl, events, connections: load.connections, ...(load.rate ? { rate: load.rate } : {}) });
    if (load.replies) {
      await world.waitForReplies(load.warmup + load.messages, SETTLE_MS);
      // A second reply would come shortly after the first: give it the time to show.
      await new Promise((r) => setTimeout(r, 300));
    }
    const cpuAfter = cpuMs(running.pid);

    const { tally } = world;
    const replyLatency: number[] = [];
    let unanswered = 0;
    let duplicates = 0;
    for (let i = 0; i < load.messages; i++) {
      const index = load.warmup + i;
      const count = tally.replies[index]!;
      if (count === 0) unanswered++;
      else replyLatency.push(tally.firstReplyAt[index]! - sent.sentAt[i]!);
      if (count > 1) duplicates += count - 1;
    }
    const answered = load.messages - unanswered;
    const seconds = load.replies ? (tally.lastReplyAt - sent.sentAt[0]!) / 1000 : sent.seconds;
    const latency = Array.from(sent.latencyMs);
    return {
      perSecond: (load.replies ? answered : load.messages - sent.failed) / seconds,
      cpuMsPerMessage: (cpuAfter - cpuBefore) / load.messages,
      ackP50: percentile(latency, 50),
      ackP99: percentile(latency, 99),
      replyP50: percentile(replyLatency, 50),
      replyP99: percentile(replyLatency, 99),
      unanswered: load.replies ? unanswered : 0,
      duplicates,
      failedRequests: sent.failed,
      firstFailure: sent.firstFailure,
    };
  } finally {
    await running?.stop();
    await world.close();
  }
}
