/**
 * Reading a service's answer: the error of a non-2xx status, and a JSON reply turned into the
 * same events a stream carries. Messages name the service by its origin only, never its path,
 * query or headers, which may hold credentials.
 */
import { AgentError } from "../../core/errors.ts";
import { jsonReplySchema, type WireEvent } from "./events.ts";

export const maxJsonBytes = 8 * 1024 * 1024;
const maxErrorChars = 200;

/** The body as text, at most `limit` bytes. */
export async function readText(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) throw new AgentError(`the agent service's response is larger than ${Math.round(limit / 1024)} KiB`);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** A non-2xx answer: its status, and the service's own `error` when it sent JSON. */
export async function statusError(response: Response, chunks: AsyncIterable<Uint8Array>): Promise<AgentError> {
  const what = `the agent service answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (response.status >= 300 && response.status < 400) return new AgentError(`${what}: redirects are not followed; set \`url\` to the address it redirects to`);
  if (!isJson(response)) return new AgentError(what);
  let reason: string | undefined;
  try {
    reason = errorText(JSON.parse(await readText(chunks, 64 * 1024)));
  } catch {
    // An unreadable error body: the status says enough.
  }
  return new AgentError(reason ? `${what}: ${truncate(reason)}` : what);
}

function errorText(body: unknown): string | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (typeof error === "string") return error;
  // `{ error: { message } }`, as many APIs answer.
  if (error !== null && typeof error === "object" && typeof (error as { message?: unknown }).message === "string") return (error as { message: string }).message;
  return typeof message === "string" ? message : undefined;
}

function truncate(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > maxErrorChars ? `${line.slice(0, maxErrorChars - 1)}…` : line;
}

export function isJson(response: Response): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(response.headers.get("content-type") ?? "");
}

export function isEventStream(response: Response): boolean {
  return /^text\/event-stream\b/i.test(response.headers.get("content-type") ?? "");
}

/** `{ reply }`, `{ text }` or `{ events }` as the events a stream would have carried. */
export function jsonReplyEvents(text: string): WireEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AgentError("the agent service sent invalid JSON", { cause: error });
  }
  const parsed = jsonReplySchema.safeParse(value);
  if (!parsed.success) {
    throw new AgentError("the agent service sent an invalid reply (expected { reply }, { text } or { events })", { cause: parsed.error });
  }
  const reply = parsed.data;
  const events: WireEvent[] = "events" in reply ? [...reply.events] : [{ type: "message", text: "reply" in reply ? reply.reply : reply.text }];
  if (reply.state) events.push({ type: "state", state: reply.state });
  return events;
}
