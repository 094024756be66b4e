/**
 * The `http` agent: each turn is one POST to a service of the user's own, which answers JSON or
 * streams agent events as SSE (the protocol is docs/agents/http.md). Per-session state the
 * service returns is saved with the turn and sent back with the next one.
 */
import type { Agent, AgentEvent, TurnInput } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";
import { parseDuration } from "../../config/duration.ts";
import { httpAgentDefaults, type HttpAgentConfig } from "./config.ts";
import type { WireEvent } from "./events.ts";
import { toAgentEvent } from "./events.ts";
import { buildHeaders, buildRequestBody } from "./request.ts";
import { isEventStream, isJson, jsonReplyEvents, maxJsonBytes, readText, statusError } from "./response.ts";
import { parseFrame, sseFrames } from "./stream.ts";

export { httpAgentSchema, type HttpAgentConfig } from "./config.ts";

export function createHttpAgent(id: string, config: HttpAgentConfig, _context?: { baseDir: string; agents: () => string[] }): Agent {
  const origin = new URL(config.url).origin;
  const silenceMs = config.timeout === undefined ? undefined : parseDuration(config.timeout);
  const stream = config.stream ?? httpAgentDefaults.stream;
  const request = { transcript: config.transcript ?? httpAgentDefaults.transcript, contextBudget: config.contextBudget ?? httpAgentDefaults.contextBudget };

  return {
    id,
    kind: "http",
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      if (input.signal.aborted) return;
      const controller = new AbortController();
      const stop = () => controller.abort();
      input.signal.addEventListener("abort", stop, { once: true });
      const watchdog = new SilenceWatchdog(silenceMs, controller);
      try {
        const response = await fetch(config.url, {
          method: "POST",
          headers: buildHeaders(config.headers, input.turnId, stream),
          body: JSON.stringify(buildRequestBody(input, request)),
          signal: controller.signal,
          // A redirect would carry the configured headers, credentials included, to another address.
          redirect: "manual",
        });
        watchdog.touch();
        const chunks = watchdog.watch(bodyChunks(response));
        if (!response.ok) throw await statusError(response, chunks);
        if (isEventStream(response)) yield* follow(frameEvents(chunks), input);
        else if (isJson(response)) yield* follow(jsonReplyEvents(await readText(chunks, maxJsonBytes)), input);
        else throw new AgentError(`the agent service answered with content-type "${(response.headers.get("content-type") ?? "none").slice(0, 100)}" (expected application/json or text/event-stream)`);
      } catch (error) {
        if (input.signal.aborted) return; // interrupted, timed out or shut down: the core decides what to say
        if (watchdog.fired) throw new AgentError(`the agent service at ${origin} sent nothing for ${silenceMs! / 1000} s (timeout)`, { cause: error });
        if (error instanceof AgentError) throw error;
        throw new AgentError(`the agent service at ${origin} failed: ${networkReason(error)}`, { cause: error });
      } finally {
        watchdog.stop();
        input.signal.removeEventListener("abort", stop);
        controller.abort(); // releases the connection of a stream left unread
      }
    },
  };
}

async function* frameEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<WireEvent> {
  for await (const frame of sseFrames(chunks)) yield parseFrame(frame);
}

/** The service's events as agent events: state is saved, and a stream without a final `message` gets one. */
async function* follow(events: AsyncIterable<WireEvent> | Iterable<WireEvent>, input: TurnInput): AsyncGenerator<AgentEvent> {
  let streamed = "";
  let answered = false;
  for await (const wire of events) {
    if (wire.type === "state") input.setState(wire.state);
    const event = toAgentEvent(wire);
    if (!event) continue;
    yield event;
    if (event.type === "error") return;
    if (event.type === "text.delta") streamed += event.text;
    if (event.type === "message") answered = true;
  }
  if (answered) return;
  if (!streamed) throw new AgentError("the agent service's response ended without a reply");
  yield { type: "message", text: streamed };
}

/** Aborts the request when the service stays silent longer than `ms`; every chunk resets it. */
class SilenceWatchdog {
  fired = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly ms: number | undefined;
  private readonly controller: AbortController;

  constructor(ms: number | undefined, controller: AbortController) {
    this.ms = ms;
    this.controller = controller;
    this.touch();
  }

  touch(): void {
    if (this.ms === undefined) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  async *watch(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      this.touch();
      yield chunk;
    }
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

async function* bodyChunks(response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The system's error code (ECONNREFUSED, ENOTFOUND, …), never a message that could quote the request. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  return "the connection failed";
}
