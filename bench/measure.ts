/**
 * One measurement: warm a target up (the first requests of a fresh Node process pay for
 * compilation), then send a batch of conversations and time it from the first send to the last
 * answer.
 */
import { WEBHOOK_KEY } from "../test/helpers/cluster/gateways.ts";
import { planConversations, sendConversations } from "../test/helpers/cluster/sender.ts";
import type { Target } from "./setups.ts";

export interface Load {
  messages: number;
  sessions: number;
  /** Requests in flight at once. */
  concurrency: number;
  warmup: number;
}

export interface Measurement {
  seconds: number;
  perSecond: number;
}

export async function measure(target: Target, load: Load): Promise<Measurement> {
  const send = (total: number, sessions: number, label: string) =>
    sendConversations({ url: target.url, key: WEBHOOK_KEY, conversations: planConversations(total, sessions, label), concurrency: load.concurrency });

  await send(load.warmup, Math.min(load.sessions, load.warmup), "warm");
  await target.answered(load.warmup, 60_000);

  const started = performance.now();
  await send(load.messages, load.sessions, "u");
  await target.answered(load.warmup + load.messages, 120_000);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: load.messages / seconds };
}
