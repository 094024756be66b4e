/**
 * The Messages API wire format, as api.anthropic.com sends it: named SSE events
 * (`event: <type>\ndata: <json>\n\n`) in the documented order, tool inputs streamed as
 * `input_json_delta` fragments, and the `{"type":"error","error":{...}}` bodies.
 */
import { randomBytes } from "node:crypto";

export type ScriptedBlock =
  | { type: "text"; text: string; /** How the text is split into text_delta events; by words unless set. */ chunks?: string[] }
  | {
      type: "tool_use";
      id?: string;
      name: string;
      /** The input object, or a JSON string as the model would write it (possibly invalid). */
      input: Record<string, unknown> | string;
      /** Characters per input_json_delta fragment (default 9). */
      fragmentSize?: number;
    };

export const messageId = (): string => `msg_01${randomBytes(12).toString("hex")}`;
export const toolUseId = (): string => `toolu_01${randomBytes(12).toString("hex")}`;
export const requestId = (): string => `req_01${randomBytes(12).toString("hex")}`;

export function frame(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function errorBody(type: string, message: string): Record<string, unknown> {
  return { type: "error", error: { type, message } };
}

export function messageStart(id: string, model: string, inputTokens: number): string {
  return frame("message_start", {
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      content: [],
      model,
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    },
  });
}

/** The frames of one content block: start, deltas, stop (with a ping after the first start, as the API does). */
export function blockFrames(block: ScriptedBlock, index: number): string[] {
  const frames: string[] = [];
  if (block.type === "text") {
    frames.push(frame("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }));
    if (index === 0) frames.push(frame("ping", { type: "ping" }));
    for (const text of block.chunks ?? block.text.split(/(?<=\s)/)) {
      frames.push(frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text } }));
    }
  } else {
    const json = typeof block.input === "string" ? block.input : JSON.stringify(block.input);
    const size = block.fragmentSize ?? 9;
    frames.push(frame("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: block.id ?? toolUseId(), name: block.name, input: {} } }));
    if (index === 0) frames.push(frame("ping", { type: "ping" }));
    // The API opens every tool input with an empty fragment.
    frames.push(frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } }));
    for (let at = 0; at < json.length; at += size) {
      frames.push(frame("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: json.slice(at, at + size) } }));
    }
  }
  frames.push(frame("content_block_stop", { type: "content_block_stop", index }));
  return frames;
}

export function messageEnd(stopReason: string, outputTokens: number): string[] {
  return [
    frame("message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } }),
    frame("message_stop", { type: "message_stop" }),
  ];
}

/** The whole stream of a reply. */
export function messageFrames(options: { id: string; model: string; inputTokens: number; blocks: readonly ScriptedBlock[]; stopReason: string }): string[] {
  const outputTokens = options.blocks.reduce((n, b) => n + Math.ceil((b.type === "text" ? b.text : JSON.stringify(b.input)).length / 4), 1);
  return [messageStart(options.id, options.model, options.inputTokens), ...options.blocks.flatMap((b, i) => blockFrames(b, i)), ...messageEnd(options.stopReason, outputTokens)];
}

/** The non-streaming `Message` of the same reply. */
export function messageJson(options: { id: string; model: string; inputTokens: number; blocks: readonly ScriptedBlock[]; stopReason: string }): Record<string, unknown> {
  return {
    id: options.id,
    type: "message",
    role: "assistant",
    model: options.model,
    content: options.blocks.map((b) =>
      b.type === "text" ? { type: "text", text: b.text } : { type: "tool_use", id: b.id ?? toolUseId(), name: b.name, input: typeof b.input === "string" ? {} : b.input },
    ),
    stop_reason: options.stopReason,
    stop_sequence: null,
    usage: { input_tokens: options.inputTokens, output_tokens: 1 },
  };
}
