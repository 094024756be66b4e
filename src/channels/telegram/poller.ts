/**
 * Long polling: our own `getUpdates` loop (not grammY's `bot.start()`, whose error handling
 * would drop updates). The offset (last update_id + 1) lives in the channel's durable state and
 * moves past an update only after it was durably accepted (or found not to be a question), so
 * a crash or a failed accept means Telegram hands the update over again, never that it is lost:
 * asking with a higher offset is what confirms updates to Telegram.
 */
import type { Update } from "grammy/types";
import type { ChannelContext } from "../../core/channel.ts";
import type { Logger } from "../../core/log.ts";
import { botApiError, type TelegramApi } from "./api.ts";

export const OFFSET_KEY = "offset";

export interface UpdatePollerDeps {
  api: TelegramApi;
  state: ChannelContext["state"];
  log: Logger;
  /** Throws if the update could not be accepted: the offset then stays before it. */
  handle: (update: Update) => Promise<void>;
  /** Long-poll timeout, seconds. */
  timeoutSeconds: number;
  allowedUpdates: ReadonlyArray<"message">;
  /** Whether this instance may poll (holds the lease); checked before every request. */
  mayPoll: () => boolean;
}

export class UpdatePoller {
  private readonly deps: UpdatePollerDeps;
  private loop: Promise<void> | undefined;
  private controller: AbortController | undefined;

  constructor(deps: UpdatePollerDeps) {
    this.deps = deps;
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Start polling unless it already runs. */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal).finally(() => {
      if (this.controller === controller) {
        this.loop = undefined;
        this.controller = undefined;
      }
    });
  }

  /** End polling now: the request in flight is aborted, so no poll outlives this call. */
  async stop(): Promise<void> {
    const loop = this.loop;
    this.controller?.abort();
    await loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { api, log } = this.deps;
    let failures = 0;
    let webhookCleared = false;
    while (!signal.aborted && this.deps.mayPoll()) {
      try {
        // Telegram refuses getUpdates while a webhook is set.
        if (!webhookCleared) {
          await api.deleteWebhook({ drop_pending_updates: false }, grammySignal(signal));
          webhookCleared = true;
        }
        const offset = await this.readOffset();
        if (signal.aborted || !this.deps.mayPoll()) break;
        const updates = await api.getUpdates(
          { ...(offset !== undefined ? { offset } : {}), timeout: this.deps.timeoutSeconds, limit: 100, allowed_updates: [...this.deps.allowedUpdates] },
          grammySignal(signal),
        );
        for (const update of updates) {
          if (signal.aborted) break;
          await this.deps.handle(update);
          await this.deps.state.set(OFFSET_KEY, String(update.update_id + 1));
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        const wait = this.backoff(error, failures);
        log.warn("Telegram long poll failed; polling again", { error: describe(error), retryInMs: wait });
        await sleep(wait, signal);
      }
    }
  }

  private async readOffset(): Promise<number | undefined> {
    const value = await this.deps.state.get(OFFSET_KEY);
    const offset = value === undefined ? NaN : Number(value);
    return Number.isSafeInteger(offset) ? offset : undefined;
  }

  private backoff(error: unknown, failures: number): number {
    const api = botApiError(error);
    if (api?.error_code === 429) return (api.parameters?.retry_after ?? 1) * 1000;
    if (api?.error_code === 409) this.deps.log.error("Telegram says another getUpdates (or a webhook) is active for this bot: another process polls with the same token outside this store's lease");
    return Math.min(60_000, 500 * 2 ** Math.min(failures - 1, 7));
  }
}

/** grammY types its signal with the abort-controller polyfill; at run time it only listens for "abort", which the standard one has. */
function grammySignal(signal: AbortSignal): Parameters<TelegramApi["getUpdates"]>[1] {
  return signal as unknown as Parameters<TelegramApi["getUpdates"]>[1];
}

function describe(error: unknown): string {
  const api = botApiError(error);
  if (api) return `${api.error_code} ${api.description}`;
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
