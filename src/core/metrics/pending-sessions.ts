/**
 * How many messages wait in each session's lane, counted from the event bus rather than asked
 * of the store on every turn: +1 when this gateway accepts a message, minus a turn's messages
 * when a turn completes here or on another gateway of a shared store. It starts at zero (what
 * waited before this process started is not counted) and never goes below a turn's own
 * messages, so the depth a turn sees is a close, cheap lower bound.
 */

/** Sessions tracked at most; past it the oldest entries go (a gateway that missed completions must not grow forever). */
const MAX_SESSIONS = 100_000;

export class PendingSessions {
  private readonly pending = new Map<string, number>();

  accepted(sessionId: string): void {
    const count = this.pending.get(sessionId) ?? 0;
    if (count === 0 && this.pending.size >= MAX_SESSIONS) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(sessionId, count + 1);
  }

  completed(sessionId: string, messages: number): void {
    const left = (this.pending.get(sessionId) ?? 0) - messages;
    if (left > 0) this.pending.set(sessionId, left);
    else this.pending.delete(sessionId);
  }

  /** Messages waiting in the session as a turn of `taking` messages starts, that turn's included. */
  depthAtTurnStart(sessionId: string, taking: number): number {
    return Math.max(this.pending.get(sessionId) ?? 0, taking);
  }

  get size(): number {
    return this.pending.size;
  }
}
