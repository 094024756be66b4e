/**
 * Streaming to platforms that can edit messages: the first text of a turn is posted as a
 * placeholder, then edited as more text arrives, at most once per `editIntervalMs`. The
 * placeholder waits `streamStartMs` (200 ms) after the first text: a turn that is over by then is
 * simply sent once, so a quick answer costs the user no flicker and the platform one call, not a
 * post and an edit (half of a busy gateway's API calls, and Slack's chat.update limit). When the turn
 * ends, the final reply is delivered by the outbox as an edit of that placeholder, so the user
 * sees one message grow into the answer. Channels that cannot edit get the reply, split at their
 * limit, only when the turn is done. Placeholder posts and edits are best effort: if one fails,
 * the outbox still delivers the final reply durably.
 */
import type { Address, Channel, SentMessage } from "./channel.ts";
import type { Logger } from "./log.ts";

interface StreamState {
  channel: Channel & { edit: NonNullable<Channel["edit"]> };
  to: Address;
  text: string;
  placeholder: Promise<SentMessage | undefined> | undefined;
  /** Until the placeholder goes out: the wait for `streamStartMs`. */
  starting: NodeJS.Timeout | undefined;
  /** The edit in flight, so edits go out one at a time and the final one lands last. */
  editing: Promise<void>;
  shown: string;
  timer: NodeJS.Timeout | undefined;
  lastEditAt: number;
  /** An edit is queued or on the wire: the next one is timed from when this one went out. */
  sending: boolean;
}

export interface StreamingChannel {
  /** How often a streaming message may be edited; 1 s unless the channel says otherwise. */
  readonly streamEditIntervalMs?: number;
}

/** How long a turn's first text waits before it is posted as a placeholder to edit. */
export const DEFAULT_STREAM_START_MS = 200;

export class StreamRelay {
  private readonly streams = new Map<string, StreamState>();
  private readonly log: Logger;

  private readonly startMs: number;

  constructor(log: Logger, options: { streamStartMs?: number } = {}) {
    this.log = log;
    this.startMs = options.streamStartMs ?? DEFAULT_STREAM_START_MS;
  }

  /** Whether replies on this channel stream by edits. */
  static streamsByEdits(channel: Channel | undefined): channel is Channel & { edit: NonNullable<Channel["edit"]> } {
    return channel !== undefined && channel.capabilities.stream && channel.capabilities.edit && typeof channel.edit === "function";
  }

  /** Text arrived for a turn. */
  delta(turnId: string, channel: Channel | undefined, to: Address, text: string): void {
    if (!StreamRelay.streamsByEdits(channel)) return;
    let state = this.streams.get(turnId);
    if (!state) {
      state = { channel, to, text: "", placeholder: undefined, starting: undefined, editing: Promise.resolve(), shown: "", timer: undefined, lastEditAt: 0, sending: false };
      this.streams.set(turnId, state);
    }
    state.text += text;
    if (!state.placeholder) {
      if (!state.text.trim() || state.starting) return;
      const waiting = state;
      waiting.starting = setTimeout(() => {
        if (this.streams.get(turnId) === waiting) this.postPlaceholder(turnId, waiting);
      }, this.startMs);
      waiting.starting.unref();
      return;
    }
    this.scheduleEdit(turnId, state);
  }

  /** The turn is still running `streamStartMs` after its first text: show what it has so far. */
  private postPlaceholder(turnId: string, state: StreamState): void {
    const { channel, to } = state;
    // Text that came while the placeholder waited is in it; text after it is edited in.
    state.shown = this.render(state);
    state.lastEditAt = Date.now();
    // The first edit is timed from when the platform has the placeholder, not from when we
    // asked for it: a slow post must not be followed at once by an edit.
    state.sending = true;
    state.placeholder = channel
      .send({ to, text: state.shown, idempotencyKey: `${turnId}:stream`, sessionId: "" })
      .catch((error: unknown) => {
        this.log.warn("streaming placeholder failed; the reply will come when the turn ends", { channel: channel.id, error });
        return undefined;
      })
      .finally(() => {
        state.lastEditAt = Date.now();
        state.sending = false;
      });
  }

  /**
   * The turn is over: stop editing and return the placeholder's platform id, which the final
   * reply then replaces. `note` (e.g. "interrupted") is shown on a placeholder that gets no reply.
   */
  async finish(turnId: string, note?: string): Promise<string | undefined> {
    const state = this.streams.get(turnId);
    if (!state) return undefined;
    this.streams.delete(turnId);
    clearTimeout(state.starting);
    clearTimeout(state.timer);
    const placeholder = await state.placeholder;
    await state.editing;
    if (placeholder && note) await this.edit(state, placeholder, `${this.render(state)}\n${note}`);
    return placeholder?.platformId;
  }

  /** The turn was taken over by another gateway: edit nothing more, leave the placeholder be. */
  abandon(turnId: string): void {
    const state = this.streams.get(turnId);
    if (!state) return;
    this.streams.delete(turnId);
    clearTimeout(state.starting);
    clearTimeout(state.timer);
  }

  private scheduleEdit(turnId: string, state: StreamState): void {
    if (state.timer) return;
    const interval = (state.channel as StreamingChannel).streamEditIntervalMs ?? 1000;
    // While an edit is still going out, look again shortly rather than spinning.
    const wait = Math.max(state.sending ? 20 : 0, state.lastEditAt + interval - Date.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (this.streams.get(turnId) !== state) return;
      // Still sending the last edit (a slow platform), or it went out later than this timer
      // assumed: time the next one from when it went out, rather than right behind it in a burst.
      if (state.sending || Date.now() < state.lastEditAt + interval) return this.scheduleEdit(turnId, state);
      const text = this.render(state);
      if (text === state.shown) return;
      state.shown = text;
      state.sending = true;
      state.editing = state.editing.then(async () => {
        const placeholder = await state.placeholder;
        if (placeholder) await this.edit(state, placeholder, text);
        // Timed from when the platform answered, not from when we sent: the platform has the edit
        // by then, so the next one arrives at least an interval later however slow the way there.
        state.lastEditAt = Date.now();
        state.sending = false;
      });
    }, wait);
    state.timer.unref();
  }

  private async edit(state: StreamState, placeholder: SentMessage, text: string): Promise<void> {
    try {
      await state.channel.edit(state.to, placeholder, text);
    } catch (error) {
      this.log.debug("streaming edit failed", { channel: state.channel.id, error });
    }
  }

  /** The text so far in the platform's format, cut to fit one message while it streams. */
  private render(state: StreamState): string {
    const limit = state.channel.maxMessageLength;
    const text = state.text.length > limit - 2 ? `${state.text.slice(0, limit - 2)} …` : state.text;
    return state.channel.format(text);
  }
}
