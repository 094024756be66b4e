/**
 * The Chat Completions wire format, as api.openai.com sends it: `chat.completion.chunk` SSE
 * frames (tool calls split the way OpenAI splits them), `data: [DONE]`, and the error JSON with
 * its statuses and headers.
 */
import { randomBytes } from "node:crypto";

export interface ScriptedToolCall {
  id?: string;
  name: string;
  /** A JSON string as the model would write it (possibly invalid), or a value to serialize. */
  arguments: string | Record<string, unknown>;
}

/** A chunk's delta and finish_reason; the envelope (id, object, created, model) is added per stream. */
export interface ChunkBody {
  delta: Record<string, unknown>;
  finish_reason: string | null;
}

export function completionId(): string {
  return `chatcmpl-${randomBytes(15).toString("base64url")}`;
}

export function toolCallId(): string {
  return `call_${randomBytes(12).toString("base64url")}`;
}

/** The frame of one chunk, in OpenAI's field order. */
export function chunkFrame(id: string, model: string, created: number, body: ChunkBody): string {
  const chunk = {
    id,
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: "fp_fake",
    choices: [{ index: 0, delta: body.delta, logprobs: null, finish_reason: body.finish_reason }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

export const doneFrame = "data: [DONE]\n\n";

/** A text reply: a role chunk with empty content, one chunk per piece, then the finish chunk. */
export function textChunks(pieces: readonly string[], finishReason = "stop"): ChunkBody[] {
  return [
    { delta: { role: "assistant", content: "", refusal: null }, finish_reason: null },
    ...pieces.map((content) => ({ delta: { content }, finish_reason: null })),
    { delta: {}, finish_reason: finishReason },
  ];
}

/**
 * Tool calls as OpenAI streams them: each call's first chunk carries index, id, type and name
 * with empty arguments; later chunks carry only the index and a fragment of the arguments.
 */
export function toolCallChunks(calls: readonly ScriptedToolCall[], options: { text?: string; fragmentSize?: number } = {}): ChunkBody[] {
  const size = options.fragmentSize ?? 7;
  const chunks: ChunkBody[] = [{ delta: { role: "assistant", content: options.text ? "" : null, refusal: null }, finish_reason: null }];
  if (options.text) chunks.push({ delta: { content: options.text }, finish_reason: null });
  calls.forEach((call, index) => {
    const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    const first = { index, id: call.id ?? toolCallId(), type: "function", function: { name: call.name, arguments: "" } };
    chunks.push({ delta: { tool_calls: [first] }, finish_reason: null });
    for (let at = 0; at < args.length; at += size) {
      chunks.push({ delta: { tool_calls: [{ index, function: { arguments: args.slice(at, at + size) } }] }, finish_reason: null });
    }
  });
  chunks.push({ delta: {}, finish_reason: "tool_calls" });
  return chunks;
}

/** The non-streaming form of the same reply, assembled from its chunks. */
export function completionFromChunks(id: string, model: string, created: number, chunks: readonly ChunkBody[]): Record<string, unknown> {
  let content: string | null = null;
  const toolCalls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> = [];
  let finish: string | null = null;
  for (const { delta, finish_reason } of chunks) {
    if (typeof delta.content === "string" && delta.content !== "") content = (content ?? "") + delta.content;
    for (const raw of (delta.tool_calls as Array<{ index: number; id?: string; function: { name?: string; arguments: string } }> | undefined) ?? []) {
      const call = (toolCalls[raw.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
      if (raw.id) call.id = raw.id;
      if (raw.function.name) call.function.name = raw.function.name;
      call.function.arguments += raw.function.arguments;
    }
    finish = finish_reason ?? finish;
  }
  const message = { role: "assistant", content, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    system_fingerprint: "fp_fake",
  };
}

export interface WireError {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

/** The errors OpenAI answers with, by status. */
export function apiError(status: number, options: { message?: string; type?: string; code?: string | null; param?: string | null; retryAfter?: string } = {}): WireError {
  const standard: Record<number, { message: string; type: string; code: string | null }> = {
    400: { message: "Invalid request.", type: "invalid_request_error", code: null },
    401: { message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", type: "invalid_request_error", code: "invalid_api_key" },
    404: { message: "The model does not exist or you do not have access to it.", type: "invalid_request_error", code: "model_not_found" },
    429: { message: "Rate limit reached for requests. Please try again in 1s.", type: "requests", code: "rate_limit_exceeded" },
    500: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", code: null },
    503: { message: "The engine is currently overloaded, please try again later.", type: "server_error", code: null },
  };
  const base = standard[status] ?? { message: `HTTP ${status}`, type: "server_error", code: null };
  const headers: Record<string, string> = { "x-request-id": `req_${randomBytes(8).toString("hex")}` };
  if (status === 429) {
    headers["retry-after"] = options.retryAfter ?? "1";
    headers["x-ratelimit-remaining-requests"] = "0";
  }
  return {
    status,
    headers,
    body: { error: { message: options.message ?? base.message, type: options.type ?? base.type, param: options.param ?? null, code: options.code === undefined ? base.code : options.code } },
  };
}
