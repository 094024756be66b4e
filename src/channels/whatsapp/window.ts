/**
 * The 24-hour customer-service window: a business may send free-form messages to a user only
 * within 24 h of that user's last message; after that, only approved templates. The time of
 * each user's last message is kept in the channel's durable state, so a restart does not forget it.
 */
import type { ChannelContext } from "../../core/channel.ts";

export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 3_600_000;

export type WindowState = { open: true } | { open: false; lastInboundMs?: number };

export class CustomerServiceWindows {
  private readonly state: ChannelContext["state"];
  private readonly now: () => number;

  constructor(state: ChannelContext["state"], now: () => number = Date.now) {
    this.state = state;
    this.now = now;
  }

  /** The user wrote at `atMs`; only a later time moves the window (redeliveries arrive late). */
  async userWrote(waId: string, atMs: number): Promise<void> {
    const known = await this.lastInbound(waId);
    if (known === undefined || atMs > known) await this.state.set(key(waId), String(atMs));
  }

  async lastInbound(waId: string): Promise<number | undefined> {
    const value = Number(await this.state.get(key(waId)));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  }

  /**
   * Whether a free-form message can go. A user we have no record of counts as open: Meta is
   * the judge then (it answers 131047 if not), which is right after state was reset.
   */
  async check(waId: string): Promise<WindowState> {
    const last = await this.lastInbound(waId);
    if (last === undefined || this.now() - last < CUSTOMER_SERVICE_WINDOW_MS) return { open: true };
    return { open: false, lastInboundMs: last };
  }

  /** Whether the window-closed template already went out since the user last wrote (one per closed window). */
  async templateSent(waId: string): Promise<boolean> {
    const sentFor = await this.state.get(`template:${waId}`);
    return sentFor !== undefined && sentFor === String((await this.lastInbound(waId)) ?? 0);
  }

  async markTemplateSent(waId: string): Promise<void> {
    await this.state.set(`template:${waId}`, String((await this.lastInbound(waId)) ?? 0));
  }
}

function key(waId: string): string {
  return `window:${waId}`;
}
