/**
 * The audit log's writer: who was let in or turned away, who approved whom, which keys were
 * rotated. Entries are buffered and written in one batch per second, so auditing every accepted
 * message costs one store write per second, not one per message; a crash loses at most the
 * last second of entries, never a message. Entries carry ids and reasons, never message text.
 */
import type { AuditEntry, Store } from "../store/store.ts";
import type { Logger } from "./log.ts";

/** Entries kept while the store is unreachable; beyond it the oldest are dropped (and counted). */
const MAX_BUFFERED = 10_000;

export class AuditLog {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly flushMs: number;
  private buffer: AuditEntry[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(deps: { store: Store; log: Logger }, options: { flushMs?: number } = {}) {
    this.store = deps.store;
    this.log = deps.log;
    this.flushMs = options.flushMs ?? 1000;
  }

  record(entry: Omit<AuditEntry, "at"> & { at?: number }): void {
    this.buffer.push({ ...entry, at: entry.at ?? Date.now() });
    if (this.buffer.length > MAX_BUFFERED) {
      this.buffer.shift();
      this.dropped++;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Write what is buffered now (on stop, and by the timer). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.store
      .appendAudit(batch)
      .then(() => {
        if (this.dropped > 0) this.log.warn("audit entries were dropped while the store was unreachable", { dropped: this.dropped });
        this.dropped = 0;
      })
      .catch((error: unknown) => {
        // Keep them for the next try, newest last, within the bound.
        this.buffer = [...batch, ...this.buffer].slice(-MAX_BUFFERED);
        this.log.warn("could not write the audit log; will retry", { entries: batch.length, error });
        if (!this.timer) {
          this.timer = setTimeout(() => void this.flush(), this.flushMs);
          this.timer.unref();
        }
      });
    await this.flushing;
    this.flushing = undefined;
  }
}
