/**
 * Work only one gateway may do among those sharing a store (a Telegram long poll, the GitHub
 * poller, reading a mailbox) runs only while this gateway holds a store lease. The holder renews
 * it every ttl/3, on its own timer, however long the work's interval, and stops the moment a
 * renewal fails or is late; a standby keeps trying to take it, and gets it once the holder
 * released it (clean stop) or it ran out (a crash): a short ttl means a quick takeover.
 */
import type { ChannelContext } from "./channel.ts";
import type { Logger } from "./log.ts";

export interface PollerLeaseOptions {
  name: string;
  ttlMs: number;
  leases: ChannelContext["leases"];
  log: Logger;
  /** What the lease guards, for log lines: "the Telegram poller", "the mailbox reader". */
  what?: string;
  /** Called when this instance becomes the poller (again); must be harmless if polling already runs. */
  onAcquired?: () => void;
  /** Called when it stops being the poller (a failed renewal); polling must end at once. */
  onLost?: () => void;
}

export class PollerLease {
  private readonly options: PollerLeaseOptions;
  private timer: NodeJS.Timeout | undefined;
  private holding = false;
  /** When the lease runs out if it is not renewed: counted from before the renewal was asked for. */
  private validUntil = 0;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(options: PollerLeaseOptions) {
    this.options = options;
  }

  private get what(): string {
    return this.options.what ?? "the poller";
  }

  /** Whether this instance may poll right now. */
  get held(): boolean {
    return this.holding && Date.now() < this.validUntil;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stop renewing; `release` gives the lease up once polling has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  async release(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    try {
      await this.options.leases.release(this.options.name);
    } catch (error) {
      this.options.log.warn(`could not release the lease of ${this.what}; another instance takes over when it expires`, { error });
    }
  }

  private tick(): Promise<void> {
    if (this.ticking || this.stopped) return this.ticking ?? Promise.resolve();
    this.ticking = this.renew().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async renew(): Promise<void> {
    const asked = Date.now();
    let got = false;
    try {
      got = await this.options.leases.acquire(this.options.name, this.options.ttlMs);
    } catch (error) {
      this.options.log.warn(`could not renew the lease of ${this.what}`, { error });
    }
    if (this.stopped) {
      // Stopping while the renewal was in flight: the caller releases it after polling ends.
      if (got) this.holding = true;
      return;
    }
    if (got) {
      // A renewal that came late (the lease ran out meanwhile) restarts polling as well.
      const wasHeld = this.held;
      this.validUntil = asked + this.options.ttlMs;
      this.holding = true;
      if (!wasHeld) {
        this.options.log.info(`this instance now runs ${this.what}`, { lease: this.options.name });
        this.options.onAcquired?.();
      }
    } else if (this.holding) {
      this.holding = false;
      this.options.log.warn(`lost the lease of ${this.what}; it stops here (another instance runs it now)`, { lease: this.options.name });
      this.options.onLost?.();
    }
  }
}
