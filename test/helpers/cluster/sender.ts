/**
 * The clients of the cluster tests and benchmarks: many users, each with a conversation of
 * several messages sent to the webhook channel. Within a conversation the next message is sent
 * only once the previous one was accepted, so "per-session order" is well defined (the accept
 * order); conversations run side by side, with at most `concurrency` requests in flight. A
 * request that fails because its gateway died (a reset, a 5xx) is sent again with the same id,
 * which the channel's dedupe makes safe, as docs/webhook.md tells callers to do.
 */
import { now } from "./clock.ts";

export interface Conversation {
  user: string;
  /** Message ids in send order; each message's text is its id. */
  ids: string[];
}

export interface SendRecord {
  id: string;
  user: string;
  sessionId: string;
  acceptedAt: number;
  /** Requests it took: more than 1 when a gateway died under it. */
  attempts: number;
  /** The accepting answer was `duplicate: true`: an earlier attempt had been accepted after all. */
  duplicate: boolean;
}

/** `total` messages spread as evenly as possible over `sessions` users. */
export function planConversations(total: number, sessions: number, label = "u"): Conversation[] {
  return Array.from({ length: sessions }, (_, s) => {
    const count = Math.floor(total / sessions) + (s < total % sessions ? 1 : 0);
    const user = `${label}${String(s).padStart(4, "0")}`;
    return { user, ids: Array.from({ length: count }, (_, m) => `${user}-m${String(m).padStart(3, "0")}`) };
  });
}

export interface SendOptions {
  url: string;
  key: string;
  conversations: Conversation[];
  concurrency: number;
  /** Called after each accept with the number accepted so far. */
  onAccepted?: (count: number) => void;
  /** Give up on one message after retrying this long. */
  retryForMs?: number;
}

export async function sendConversations(options: SendOptions): Promise<SendRecord[]> {
  const limit = new Limiter(options.concurrency);
  const records: SendRecord[] = [];
  const talk = async ({ user, ids }: Conversation) => {
    for (const id of ids) {
      const record = await limit.run(() => sendOne(options, user, id));
      records.push(record);
      options.onAccepted?.(records.length);
    }
  };
  await Promise.all(options.conversations.map(talk));
  return records;
}

async function sendOne(options: SendOptions, user: string, id: string): Promise<SendRecord> {
  const body = JSON.stringify({ id, user: { id: user }, text: id });
  const deadline = Date.now() + (options.retryForMs ?? 30_000);
  for (let attempts = 1; ; attempts++) {
    let problem: string;
    try {
      const response = await fetch(options.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${options.key}` }, body });
      const text = await response.text();
      if (response.status === 202 || response.status === 200) {
        const answer = JSON.parse(text) as { sessionId: string; duplicate?: boolean };
        return { id, user, sessionId: answer.sessionId, acceptedAt: now(), attempts, duplicate: answer.duplicate === true };
      }
      problem = `HTTP ${response.status}: ${text.slice(0, 200)}`;
      // A 4xx is the request's fault: sending it again cannot help (429, a full queue, can).
      if (response.status < 500 && response.status !== 429) throw new RefusedMessage(`message ${id} was refused: ${problem}`);
    } catch (error) {
      if (error instanceof RefusedMessage) throw error;
      problem = describe(error);
    }
    if (Date.now() > deadline) throw new Error(`message ${id} was not accepted after ${attempts} attempts: ${problem}`);
    await new Promise((resolve) => setTimeout(resolve, 50 + 50 * Math.min(attempts, 10)));
  }
}

class RefusedMessage extends Error {}

/** fetch hides the socket error (ECONNRESET, …) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

/** At most `size` tasks at once; waiters start in arrival order. */
class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
