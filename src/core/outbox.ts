/**
 * The outbox worker delivers recorded outbound items through their channel. An item is marked
 * sent only after the platform accepted it; failures retry with exponential backoff, never
 * sooner than the platform's Retry-After, until `maxAttempts`, and then are reported. Items of
 * one session go out in order: a session whose item is waiting for a retry sends nothing else.
 */
import { randomUUID } from "node:crypto";
import type { Channel } from "./channel.ts";
import { DeliveryError } from "./errors.ts";
import type { GatewayEvents } from "./events.ts";
import type { Logger } from "./log.ts";
import type { OutboxItem, Store } from "../store/store.ts";

export interface OutboxOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Items fetched per pass. */
  batchSize?: number;
  /** This gateway among those sharing the store: its claims on items being delivered. */
  holder?: string;
  /** How long a claim lasts unrenewed: a dead gateway's items wait this long for another. */
  claimMs?: number;
}

export class OutboxWorker {
  private readonly store: Store;
  private readonly channel: (id: string) => Channel | undefined;
  private readonly events: GatewayEvents;
  private readonly log: Logger;
  private readonly options: Required<OutboxOptions>;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private claimedNothing = false;
  private stopped = true;
  /**
   * Local time until which this pass's claims surely hold. A gateway that froze past it (SIGSTOP,
   * a long pause) sends nothing more: another may have claimed and sent the same items meanwhile.
   */
  private claimsValidUntil = 0;
  /** Sessions whose earliest item waits for a retry; their later items hold back until then. */
  private readonly heldUntil = new Map<string, number>();

  constructor(deps: { store: Store; channel: (id: string) => Channel | undefined; events: GatewayEvents; log: Logger }, options: OutboxOptions) {
    this.store = deps.store;
    this.channel = deps.channel;
    this.events = deps.events;
    this.log = deps.log;
    this.options = { batchSize: 64, holder: randomUUID(), claimMs: 3_000, ...options };
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** New items were recorded, or a channel came up: deliver what is due now. */
  kick(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.pass = this.deliverDue()
      .catch((error: unknown) => {
        this.log.error("outbox pass failed", { error });
        this.again = true;
      })
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          setTimeout(() => this.kick(), 50).unref();
        } else {
          this.scheduleNext().catch((error: unknown) => {
            // The store is unreachable (a Redis restart): look again shortly rather than never.
            this.log.warn("could not look up the next outbox item; looking again shortly", { error });
            setTimeout(() => this.kick(), 1_000).unref();
          });
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const due = await this.store.nextOutboxDue();
    if (due === undefined || this.stopped) return;
    clearTimeout(this.timer);
    // After a pass that found nothing it could take (another gateway's session), don't spin.
    this.timer = setTimeout(() => this.kick(), Math.max(this.claimedNothing ? 250 : 0, due - Date.now()));
    this.timer.unref();
  }

  /**
   * Deliver everything due, in claimed batches. Claims are renewed while the pass runs (a slow
   * platform must not let another gateway send the same item) and released at its end.
   */
  private async deliverDue(): Promise<void> {
    const { holder, claimMs } = this.options;
    const inFlight = new Set<string>();
    const renewer = setInterval(() => {
      const askedAt = Date.now();
      // Past the claims' end, renewing cannot make them ours again: another gateway may hold them.
      if (askedAt >= this.claimsValidUntil) return;
      this.store
        .renewOutboxClaims(holder, [...inFlight], askedAt + claimMs)
        .then(() => (this.claimsValidUntil = Math.max(this.claimsValidUntil, askedAt + claimMs)))
        .catch((error: unknown) => this.log.warn("could not renew outbox claims", { error }));
    }, Math.max(100, claimMs / 3));
    renewer.unref();
    try {
      for (;;) {
        const askedAt = Date.now();
        const due = await this.store.claimDueOutbox(holder, askedAt, this.options.batchSize, claimMs);
        this.claimsValidUntil = askedAt + claimMs;
        this.claimedNothing = due.length === 0;
        if (due.length === 0 || this.stopped) return;
        for (const item of due) inFlight.add(item.id);
        const bySession = new Map<string, OutboxItem[]>();
        for (const item of due) {
          const list = bySession.get(item.sessionId) ?? [];
          list.push(item);
          bySession.set(item.sessionId, list);
        }
        // Sessions in parallel, each session's items in order.
        const results = await Promise.all([...bySession.values()].map((items) => this.deliverInOrder(items)));
        for (const item of due) inFlight.delete(item.id);
        if (results.every((progress) => !progress) || due.length < this.options.batchSize) return;
      }
    } finally {
      clearInterval(renewer);
      await this.store.releaseOutboxClaims(holder).catch((error: unknown) => this.log.warn("could not release outbox claims", { error }));
    }
  }

  /** Returns whether anything was sent. Stops at the first failure so later items wait their turn. */
  private async deliverInOrder(items: OutboxItem[]): Promise<boolean> {
    let sent = false;
    const held = this.heldUntil.get(items[0]!.sessionId);
    if (held !== undefined && held > Date.now()) return false;
    for (const item of items) {
      if (this.stopped || Date.now() >= this.claimsValidUntil) return sent;
      if (!(await this.deliver(item))) return sent;
      sent = true;
    }
    return sent;
  }

  private async deliver(item: OutboxItem): Promise<boolean> {
    const channel = this.channel(item.channel);
    const startedAt = Date.now();
    const attempt = { outboxId: item.id, key: item.key, sessionId: item.sessionId, channel: item.channel, attempts: item.attempts + 1 };
    try {
      if (!channel) throw new DeliveryError(`channel "${item.channel}" is not configured`, { retryable: true });
      let platformId: string | undefined;
      if (item.editOf !== undefined && channel.edit) {
        // The final reply replaces the streaming placeholder the user has been watching.
        await channel.edit(item.to, { platformId: item.editOf }, item.text);
        platformId = item.editOf;
      } else {
        platformId = (await channel.send({ to: item.to, text: item.text, idempotencyKey: item.key, sessionId: item.sessionId })).platformId;
      }
      await this.store.markOutboxSent(item.id, Date.now(), platformId);
      this.heldUntil.delete(item.sessionId);
      this.events.publish({ type: "delivery.sent", ...attempt, ms: Date.now() - startedAt });
      return true;
    } catch (error) {
      const attempts = item.attempts + 1;
      const retryable = !(error instanceof DeliveryError) || error.retryable;
      const message = error instanceof Error ? error.message : String(error);
      if (!retryable || attempts >= this.options.maxAttempts) {
        await this.store.markOutboxFailed(item.id, message);
        this.log.error("delivery failed for good", { outboxId: item.id, channel: item.channel, sessionId: item.sessionId, attempts, error: message });
        this.events.publish({ type: "delivery.failed", ...attempt, ms: Date.now() - startedAt, error: message });
        return true; // a dead item must not block the session's later items forever
      }
      const backoff = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempts - 1));
      const jittered = backoff * (0.8 + Math.random() * 0.4);
      const retryAfter = error instanceof DeliveryError ? (error.retryAfterMs ?? 0) : 0;
      const delay = Math.max(jittered, retryAfter);
      await this.store.markOutboxRetry(item.id, Date.now() + delay, message);
      this.heldUntil.set(item.sessionId, Date.now() + delay);
      this.log.warn("delivery failed; will retry", { outboxId: item.id, channel: item.channel, attempts, retryInMs: Math.round(delay), error: message });
      this.events.publish({ type: "delivery.retry", ...attempt, ms: Date.now() - startedAt, retryInMs: Math.round(delay) });
      return false;
    }
  }
}
