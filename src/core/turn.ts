/**
 * One turn: take a session's next pending message(s), run the agent, stream its events to the
 * bus, and commit the reply, the transcript and the outbox items in one store transaction. A
 * crash before that commit leaves the messages pending, so they run again on restart; after it,
 * the reply is recorded exactly once.
 */
import type { Agent, AgentEvent, AgentSettings, DelegateRequest, DelegateResult, TranscriptEntry, TurnInput } from "./agent.ts";
import type { Sender } from "./envelope.ts";
import type { DelegationParent } from "./delegation.ts";
import type { StreamRelay } from "./stream-relay.ts";
import type { Channel } from "./channel.ts";
import type { GatewayEvents } from "./events.ts";
import { messageKey } from "./envelope.ts";
import type { Logger } from "./log.ts";
import { messageKeyFields } from "./log.ts";
import type { Middleware } from "./middleware.ts";
import { compose } from "./middleware.ts";
import { splitText } from "./split.ts";
import { AgentError } from "./errors.ts";
import type { InboxItem, InboxStatus, LaneHold, OutboxDraft, Store } from "../store/store.ts";
import type { LaneLease } from "./lane-lease.ts";

export type BusyPolicy = "queue" | "collect" | "interrupt";

export interface TurnContext {
  readonly input: TurnInput;
  readonly agent: Agent;
  /** Filled in as the turn ends. */
  status: Exclude<InboxStatus, "pending"> | undefined;
  reply: string;
}

export interface TurnDeps {
  store: Store;
  events: GatewayEvents;
  log: Logger;
  agent: (id: string) => Agent | undefined;
  channel: (id: string) => Channel | undefined;
  busyPolicy: (agentId: string) => BusyPolicy;
  turnTimeoutMs: (agentId: string) => number;
  middleware: ReadonlyArray<Middleware<TurnContext>>;
  /** Settings (channel > user > agent) and Unix user for a turn of this sender on this channel. */
  resolveUser: (sender: Sender, channel: string) => { settings: AgentSettings; unixUser?: string };
  /** Delegation to sub-agents for one running turn. */
  delegate: (parent: DelegationParent) => (request: DelegateRequest) => Promise<DelegateResult>;
  /** Streams text to channels that edit messages (placeholder + edits). */
  relay: StreamRelay;
  /** A message whose turns keep crashing the process is answered with an apology after this many. */
  maxAttempts: number;
  onCommitted: () => void;
}

/**
 * Why a running turn was aborted; decides what is committed. `lane-lost`: another gateway took
 * the session over (this one froze or lost the store), so this one commits and sends nothing.
 */
export type AbortReason = "interrupt" | "timeout" | "shutdown" | "lane-lost";

export const replies = {
  reset: "Started a new conversation.",
  failed: "Sorry, the agent could not answer this message.",
  timeout: (ms: number) => `Sorry, the agent took longer than ${Math.round(ms / 1000)} s and was stopped.`,
  crashed: "Sorry, this message could not be processed after several attempts.",
};

export class TurnRunner {
  private readonly deps: TurnDeps;
  private readonly runMiddleware: (ctx: TurnContext, last: () => Promise<void>) => Promise<void>;
  /** Abort controllers of running turns, by session. */
  private readonly running = new Map<string, AbortController>();

  constructor(deps: TurnDeps) {
    this.deps = deps;
    this.runMiddleware = compose(deps.middleware);
  }

  busyPolicyOf(agentId: string): BusyPolicy {
    return this.deps.busyPolicy(agentId);
  }

  /** The `interrupt` busy policy: abort the session's running turn so the next message starts. */
  interrupt(sessionId: string): boolean {
    const controller = this.running.get(sessionId);
    if (!controller) return false;
    controller.abort("interrupt" satisfies AbortReason);
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const controller of this.running.values()) controller.abort(reason);
  }

  /**
   * Run the session's next turn; false when its inbox is empty. Under a lane `lease` (gateways
   * sharing a store), the turn stops when the lease is lost, and commits only if it still holds.
   */
  async run(sessionId: string, lease?: LaneLease): Promise<boolean> {
    const { store } = this.deps;
    // The inbox first: a lane looks once more after every turn, and mostly finds it empty.
    let pending = await store.pendingInbox(sessionId, 1);
    if (pending.length === 0) return false;
    const session = await store.getSession(sessionId);
    if (!session) return false;
    const agent = this.deps.agent(session.agent);
    if (this.deps.busyPolicy(session.agent) === "collect") pending = await store.pendingInbox(sessionId, 100);

    const first = pending[0]!;
    // `collect` merges consecutive messages; a /reset in the queue stays a turn of its own.
    // A proactive send is a turn of its own too: no agent runs, its text is what is said.
    const items = first.kind === "reset" || first.sender.origin === "send" ? [first] : takeWhile(pending, (i) => i.kind === "message" && i.sender.origin !== "send");
    // Stable across reruns after a crash, so services and delegations can deduplicate on it.
    const turnId = first.id;
    const lane = lease?.hold;

    if (first.kind === "reset") return this.commit(sessionId, turnId, items, "done", replies.reset, { record: false, lane });
    if (first.sender.origin === "send") return this.commit(sessionId, turnId, items, "done", first.text, { record: true, asAssistant: true, lane });
    if (!agent) {
      this.deps.log.error("session's agent is not configured", { sessionId, agent: session.agent, messageKey: messageKey(first.channel, first.eventId) });
      return this.commit(sessionId, turnId, items, "failed", replies.failed, { record: true, lane });
    }
    if (first.attempts >= this.deps.maxAttempts) {
      this.deps.log.error("message failed repeatedly; giving up", { sessionId, messageId: first.id, messageKey: messageKey(first.channel, first.eventId), attempts: first.attempts });
      return this.commit(sessionId, turnId, items, "failed", replies.crashed, { record: true, lane });
    }
    // A lane lost while this turn read the store (a freeze, a store outage) is not ours to run.
    if (lease && !lease.valid) return false;
    await store.beginAttempt(items.map((i) => i.id));
    this.showTyping(first);

    const controller = new AbortController();
    const timeoutMs = this.deps.turnTimeoutMs(session.agent);
    const messageKeys = items.map((i) => messageKey(i.channel, i.eventId));
    const last = items[items.length - 1]!;
    const { settings, unixUser } = this.deps.resolveUser(first.sender, last.channel);
    let savedState: Record<string, unknown> | undefined;
    const emit = (event: AgentEvent) => this.deps.events.publish({ type: "turn.event", turnId, sessionId, messageKeys, event });
    const input: TurnInput = {
      sessionId,
      agentId: agent.id,
      turnId,
      messages: items.map((i) => ({ id: i.id, text: i.text, sender: i.sender, channel: i.channel, attachments: i.attachments ?? [] })),
      text: items.map((i) => i.text).join("\n\n"),
      transcript: agent.stateless ? [] : await store.getTranscript(sessionId),
      signal: controller.signal,
      user: { id: session.userId, ...(unixUser !== undefined ? { unixUser } : {}) },
      channel: last.channel,
      settings,
      state: agent.stateless ? undefined : await store.getAgentState(sessionId),
      setState: (state) => {
        savedState = structuredClone(state);
      },
      delegate: this.deps.delegate({ sessionId, turnId, userId: session.userId, signal: controller.signal, emit }),
    };
    // The clock, the interrupt handle and the lane watch start only now that nothing above can
    // throw, so a store error leaves no timer or stale handle behind.
    const timer = setTimeout(() => controller.abort("timeout" satisfies AbortReason), timeoutMs);
    const onLaneLost = () => controller.abort("lane-lost" satisfies AbortReason);
    if (lease) {
      // An abort signal fires its listeners once: a lane lost before this point must be seen here.
      if (!lease.valid) onLaneLost();
      else lease.signal.addEventListener("abort", onLaneLost, { once: true });
    }
    this.running.set(sessionId, controller);
    const ctx: TurnContext = { input, agent, status: undefined, reply: "" };
    this.deps.events.publish({ type: "turn.started", turnId, sessionId, messageKeys });

    try {
      const channel = this.deps.channel(last.channel);
      // A gateway that may have been taken over streams nothing more: the new holder answers.
      const stream = (text: string) => {
        if (lease === undefined || lease.valid) this.deps.relay.delta(turnId, channel, last.replyTo, text);
      };
      // A lane lost before the agent starts: don't even call it.
      if (!controller.signal.aborted) await this.runMiddleware(ctx, () => this.consume(ctx, messageKeys, stream));
    } finally {
      clearTimeout(timer);
      lease?.signal.removeEventListener("abort", onLaneLost);
      this.running.delete(sessionId);
    }

    const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
    if (reason === "lane-lost") {
      this.deps.relay.abandon(turnId);
      return false; // still pending: the gateway holding the lane now runs it
    }
    const placeholder = await this.deps.relay.finish(turnId, reason === "interrupt" ? "_(interrupted)_" : reason === "shutdown" ? "_(paused: the gateway is restarting)_" : undefined);
    if (reason === "shutdown") return false; // left pending: the next start runs it again
    const agentState = savedState;
    if (reason === "timeout") return this.commit(sessionId, turnId, items, "failed", replies.timeout(timeoutMs), { record: true, agentState, placeholder, lane });
    // An interrupted turn keeps what it said so far in the transcript, but nothing is delivered.
    if (reason === "interrupt") return this.commit(sessionId, turnId, items, "interrupted", ctx.reply, { record: true, deliver: false, agentState, lane });
    return this.commit(sessionId, turnId, items, ctx.status ?? "done", ctx.reply, { record: true, agentState, placeholder, lane });
  }

  private async consume(ctx: TurnContext, messageKeys: string[], stream: (text: string) => void): Promise<void> {
    const { input } = ctx;
    let streamed = "";
    let final: string | undefined;
    try {
      for await (const event of untilAborted(ctx.agent.run(input), input.signal)) {
        // An agent's own error text may quote prompts or credentials: it is logged, never streamed.
        if (event.type === "error") throw new AgentError(event.message);
        // subagent.exposed is the core's to announce (delegate() does); an agent cannot forge one.
        if (event.type === "subagent.exposed") continue;
        this.deps.events.publish({ type: "turn.event", turnId: input.turnId, sessionId: input.sessionId, messageKeys, event });
        if (event.type === "text.delta") {
          streamed += event.text;
          stream(event.text);
        } else if (event.type === "message") final = event.text;
      }
      if (input.signal.aborted) {
        ctx.reply = streamed;
        return;
      }
      ctx.status = "done";
      ctx.reply = final ?? streamed;
    } catch (error) {
      if (input.signal.aborted) {
        ctx.reply = streamed;
        return;
      }
      // Agent errors may quote prompts or credentials: log the detail, tell the user only that it failed.
      this.deps.log.error("agent failed", { sessionId: input.sessionId, agent: ctx.agent.id, turnId: input.turnId, ...messageKeyFields(messageKeys), error });
      const failure: AgentEvent = { type: "error", message: replies.failed };
      this.deps.events.publish({ type: "turn.event", turnId: input.turnId, sessionId: input.sessionId, messageKeys, event: failure });
      ctx.status = "failed";
      ctx.reply = replies.failed;
    }
  }

  private async commit(
    sessionId: string,
    turnId: string,
    items: InboxItem[],
    status: Exclude<InboxStatus, "pending">,
    reply: string,
    options: { record: boolean; asAssistant?: boolean; deliver?: boolean; agentState?: Record<string, unknown>; placeholder?: string; lane?: LaneHold | undefined },
  ): Promise<boolean> {
    const now = Date.now();
    const last = items[items.length - 1]!;
    const transcript: TranscriptEntry[] = [];
    if (options.record && options.asAssistant) {
      // What the gateway said first is the agent's side of the conversation: a reply to it has that context.
      transcript.push({ role: "assistant", text: reply, at: now, messageId: last.id });
    } else if (options.record) {
      for (const i of items) transcript.push({ role: "user", text: i.text, at: i.acceptedAt, messageId: i.id });
      // Apologies for failures are for the user, not conversation history the agent should build on.
      if (reply && (status === "done" || status === "interrupted")) transcript.push({ role: "assistant", text: reply, at: now, messageId: last.id });
    }
    const outbox: OutboxDraft[] = options.deliver !== false && reply ? this.render(turnId, last, reply, options.placeholder) : [];
    const committed = await this.deps.store.completeTurn({
      sessionId,
      messageIds: items.map((i) => i.id),
      status,
      reply,
      transcript,
      outbox,
      now,
      ...(options.agentState !== undefined ? { agentState: options.agentState } : {}),
      ...(options.lane !== undefined ? { lane: options.lane } : {}),
    });
    if (!committed) {
      // Fenced off (another gateway took the lane over) or already completed: either way the
      // answer is the other run's, and this one must not add a second.
      this.deps.log.warn("turn result discarded: its messages were already completed or its lane was taken over", { sessionId, turnId, ...messageKeyFields(items.map((i) => messageKey(i.channel, i.eventId))) });
      return options.lane === undefined;
    }
    this.deps.onCommitted();
    // Operators see every turn; message text stays out of the log.
    this.deps.log.info("turn completed", { sessionId, turnId, ...messageKeyFields(items.map((i) => messageKey(i.channel, i.eventId))), status, messages: items.length, outbox: outbox.length, waitedMs: now - items[0]!.acceptedAt });
    this.deps.events.publish({
      type: "turn.completed",
      turnId,
      sessionId,
      messageKeys: items.map((i) => messageKey(i.channel, i.eventId)),
      status,
      reply,
    });
    return true;
  }

  /** A typing indicator, only now that the message is committed; failing to show one is harmless. */
  private showTyping(item: InboxItem): void {
    const channel = this.deps.channel(item.channel);
    if (!channel?.typing) return;
    channel.typing(item.replyTo).catch((error: unknown) => this.deps.log.debug("typing indicator failed", { channel: item.channel, error }));
  }

  /** Format for the platform and split at its limit; one outbox item per chunk, keyed `turnId:seq`. */
  private render(turnId: string, item: InboxItem, reply: string, placeholder: string | undefined): OutboxDraft[] {
    const channel = this.deps.channel(item.channel);
    const limit = channel?.maxMessageLength ?? Number.POSITIVE_INFINITY;
    return splitText(reply, limit).map((chunk, seq) => ({
      key: `${turnId}:${seq}`,
      channel: item.channel,
      to: item.replyTo,
      text: channel ? channel.format(chunk) : chunk,
      // The first chunk replaces the streaming placeholder; the rest follow it as new messages.
      ...(seq === 0 && placeholder !== undefined ? { editOf: placeholder } : {}),
    }));
  }
}

/**
 * Iterate an agent's events until the signal aborts, even if the agent ignores the signal and
 * never yields again: a hung agent must not hold its session forever.
 */
async function* untilAborted<T>(events: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = events[Symbol.asyncIterator]();
  const aborted = new Promise<"aborted">((resolve) => {
    if (signal.aborted) resolve("aborted");
    signal.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === "aborted" || next.done) return;
      yield next.value;
    }
  } finally {
    // Ask the agent to clean up, but don't wait for one that hangs.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

function takeWhile<T>(items: T[], keep: (item: T) => boolean): T[] {
  const out: T[] = [];
  for (const item of items) {
    if (!keep(item)) break;
    out.push(item);
  }
  return out;
}
