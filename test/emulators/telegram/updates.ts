/**
 * The emulator's update queue, with Telegram's two ways out: long polling (`getUpdates` with
 * offset confirmation, a timeout that holds the request open, and 409 Conflict for a second
 * concurrent poll or while a webhook is set) and webhook delivery (one update at a time, in
 * order, with the secret token header, retried until a 2xx).
 */
import type { Update } from "grammy/types";

export interface ApiFailure {
  error_code: number;
  description: string;
  parameters?: Record<string, number>;
}

export const CONFLICT_OTHER_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
export const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

export interface WebhookAttempt {
  updateId: number;
  status: number;
  at: number;
}

export interface WebhookSettings {
  url: string;
  secretToken?: string;
}

export class UpdateQueue {
  private pending: Update[] = [];
  private nextId: number;
  private poll: { wake: () => void } | undefined;
  private readonly retryDelaysMs: number[];
  private delivering = false;
  private closed = false;
  webhook: WebhookSettings | undefined;
  /** Every getUpdates answered with 409: the single-poller test expects none. */
  conflicts = 0;
  polls = 0;
  readonly attempts: WebhookAttempt[] = [];

  constructor(options: { firstUpdateId?: number; webhookRetryDelaysMs?: number[] }) {
    this.nextId = options.firstUpdateId ?? 100_000;
    this.retryDelaysMs = options.webhookRetryDelaysMs ?? [100, 500, 2000];
  }

  /** Updates not confirmed yet (long polling) or not delivered yet (webhook). */
  get unconfirmed(): readonly Update[] {
    return this.pending;
  }

  push(fields: Omit<Update, "update_id">): Update {
    const update = { update_id: this.nextId++, ...fields } as Update;
    this.pending.push(update);
    this.poll?.wake();
    void this.deliver();
    return update;
  }

  /**
   * getUpdates. `gone` resolves when the caller hung up (an aborted long poll ends the poll,
   * as it does at Telegram).
   */
  async getUpdates(params: { offset?: number; limit?: number; timeout?: number }, gone: Promise<void>): Promise<Update[] | ApiFailure> {
    this.polls++;
    if (this.webhook) return this.conflict(CONFLICT_WEBHOOK);
    if (this.poll) return this.conflict(CONFLICT_OTHER_POLL);
    if (params.offset !== undefined && params.offset > 0) this.pending = this.pending.filter((u) => u.update_id >= params.offset!);
    const limit = Math.min(Math.max(params.limit ?? 100, 1), 100);
    const timeoutMs = Math.max(0, params.timeout ?? 0) * 1000;
    if (this.pending.length === 0 && timeoutMs > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const poll = { wake: done };
        this.poll = poll;
        void gone.then(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.poll = undefined;
    }
    return this.pending.slice(0, limit);
  }

  private conflict(description: string): ApiFailure {
    this.conflicts++;
    return { error_code: 409, description };
  }

  setWebhook(settings: WebhookSettings | undefined): void {
    this.webhook = settings;
    void this.deliver();
  }

  /** Send one update to the webhook again, as Telegram does when it did not see the answer in time. */
  async redeliver(update: Update): Promise<number> {
    if (!this.webhook) throw new Error("no webhook is set");
    return this.post(update, this.webhook);
  }

  close(): void {
    this.closed = true;
    this.poll?.wake();
  }

  private async deliver(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      let failures = 0;
      while (!this.closed && this.webhook && this.pending.length > 0) {
        const update = this.pending[0]!;
        const status = await this.post(update, this.webhook);
        if (status >= 200 && status < 300) {
          this.pending = this.pending.filter((u) => u !== update);
          failures = 0;
          continue;
        }
        const delay = this.retryDelaysMs[Math.min(failures, this.retryDelaysMs.length - 1)] ?? 1000;
        failures++;
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    } finally {
      this.delivering = false;
    }
  }

  private async post(update: Update, webhook: WebhookSettings): Promise<number> {
    let status: number;
    try {
      const response = await fetch(webhook.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(webhook.secretToken ? { "x-telegram-bot-api-secret-token": webhook.secretToken } : {}) },
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 0;
    }
    this.attempts.push({ updateId: update.update_id, status, at: Date.now() });
    return status;
  }
}
