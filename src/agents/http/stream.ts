/**
 * Wire parsing: Server-Sent Events frames out of a byte stream, and each frame's data as one
 * validated event. A frame that is not a valid event fails the turn: a service that sends
 * garbage should be told so in the log, not half-answered.
 */
import { AgentError } from "../../core/errors.ts";
import { wireEventSchema, type WireEvent } from "./events.ts";

export interface SseFrame {
  /** The `event:` field, when the frame has one. */
  event: string | undefined;
  data: string;
}

/** Bounds memory: no single frame (or line) of a service may grow past this. */
export const maxFrameBytes = 1024 * 1024;

export async function* sseFrames(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event: string | undefined;
  let data: string[] | undefined;
  let size = 0;

  const take = (line: string): SseFrame | undefined => {
    if (line === "") {
      const frame = data === undefined ? undefined : { event, data: data.join("\n") };
      event = undefined;
      data = undefined;
      size = 0;
      return frame;
    }
    if (line.startsWith(":")) return undefined; // a comment, e.g. a keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(line[colon + 1] === " " ? colon + 2 : colon + 1);
    size += value.length;
    if (size > maxFrameBytes) throw new AgentError("the agent service sent an event larger than 1 MiB");
    if (field === "event") event = value;
    else if (field === "data") (data ??= []).push(value);
    return undefined; // `id` and `retry` mean nothing for a single POST
  };

  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r\n|\r|\n/)) !== -1) {
      // A lone \r at the end of a chunk may be the first half of \r\n.
      if (buffer[end] === "\r" && end === buffer.length - 1) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(buffer[end] === "\r" && buffer[end + 1] === "\n" ? end + 2 : end + 1);
      const frame = take(line);
      if (frame) yield frame;
    }
    if (buffer.length > maxFrameBytes) throw new AgentError("the agent service sent an event larger than 1 MiB");
  }
  buffer += decoder.decode();
  // A last frame without its closing blank line still counts; if it was cut off, it fails to parse.
  for (const line of [...buffer.split(/\r\n|\r|\n/), ""]) {
    const frame = take(line);
    if (frame) yield frame;
  }
}

/** One frame's event. Its data carries `type`, or the frame's `event:` field names it. */
export function parseFrame(frame: SseFrame): WireEvent {
  let value: unknown;
  try {
    value = JSON.parse(frame.data);
  } catch (error) {
    throw new AgentError("the agent service sent an invalid event", { cause: error });
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !("type" in value) && frame.event !== undefined) {
    value = { ...value, type: frame.event };
  }
  const parsed = wireEventSchema.safeParse(value);
  if (!parsed.success) throw new AgentError("the agent service sent an invalid event", { cause: parsed.error });
  return parsed.data;
}
