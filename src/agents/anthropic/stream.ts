/**
 * Reads one streamed Messages API response: yields `text.delta` events as they arrive and
 * returns the round's text, its tool calls (their `input_json_delta` fragments joined) and the
 * stop reason. A stream that breaks the protocol is an `AgentError`.
 */
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import type { AgentEvent } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";

export interface ToolCall {
  id: string;
  name: string;
  /** The parsed input, or undefined when its JSON was invalid. */
  input: unknown;
  /** The raw JSON the model streamed. */
  json: string;
}

export interface RoundResult {
  text: string;
  toolCalls: ToolCall[];
  stopReason: string | null;
}

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; json: string } | { type: "other" };

export async function* readRound(events: AsyncIterable<RawMessageStreamEvent>, signal: AbortSignal): AsyncGenerator<AgentEvent, RoundResult> {
  const blocks = new Map<number, Block>();
  let started = false;
  let stopped = false;
  let stopReason: string | null = null;

  for await (const event of events) {
    if (!isObject(event)) throw malformed("an event that is not an object");
    if (!started && event.type !== "message_start") throw malformed(`"${String(event.type)}" before message_start`);
    switch (event.type) {
      case "message_start":
        started = true;
        break;
      case "content_block_start": {
        const block: unknown = event.content_block;
        if (!isObject(block) || typeof event.index !== "number") throw malformed("content_block_start without index or content_block");
        if (block.type === "text") {
          const text = typeof block.text === "string" ? block.text : "";
          blocks.set(event.index, { type: "text", text });
          if (text) yield { type: "text.delta", text };
        } else if (block.type === "tool_use") {
          if (typeof block.id !== "string" || typeof block.name !== "string") throw malformed("tool_use block without id or name");
          blocks.set(event.index, { type: "tool_use", id: block.id, name: block.name, json: "" });
        } else {
          blocks.set(event.index, { type: "other" }); // thinking and server-tool blocks are not shown
        }
        break;
      }
      case "content_block_delta": {
        const block = blocks.get(event.index);
        const delta: unknown = event.delta;
        if (!block || !isObject(delta)) throw malformed(`content_block_delta for unknown block ${String(event.index)}`);
        if (delta.type === "text_delta" && block.type === "text" && typeof delta.text === "string") {
          block.text += delta.text;
          yield { type: "text.delta", text: delta.text };
        } else if (delta.type === "input_json_delta" && block.type === "tool_use" && typeof delta.partial_json === "string") {
          block.json += delta.partial_json;
        } else if (delta.type === "text_delta" || delta.type === "input_json_delta") {
          throw malformed(`a ${String(delta.type)} that does not fit block ${event.index}`);
        }
        break;
      }
      case "message_delta":
        if (!isObject(event.delta)) throw malformed("message_delta without delta");
        stopReason = typeof event.delta.stop_reason === "string" ? event.delta.stop_reason : stopReason;
        break;
      case "message_stop":
        stopped = true;
        break;
      default:
        // content_block_stop, and event types newer than this code: nothing to do.
        break;
    }
  }
  if (!stopped) {
    if (signal.aborted) return { text: "", toolCalls: [], stopReason: null };
    throw malformed(started ? "the stream ended before message_stop" : "the stream ended without any event");
  }

  const ordered = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
  return {
    text: ordered.map((b) => (b.type === "text" ? b.text : "")).join(""),
    toolCalls: ordered.flatMap((b) => (b.type === "tool_use" ? [{ id: b.id, name: b.name, json: b.json, input: parseJson(b.json) }] : [])),
    stopReason,
  };
}

function parseJson(json: string): unknown {
  if (json.trim() === "") return {}; // a tool called without arguments streams no fragments
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

function malformed(what: string): AgentError {
  return new AgentError(`malformed stream from the Anthropic API: ${what}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
