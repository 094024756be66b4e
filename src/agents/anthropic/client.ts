/**
 * The official `@anthropic-ai/sdk` client, loaded on first use so deployments without an
 * `anthropic` agent never load it, and the translation of its failures into `AgentError`s whose
 * messages carry no key and no request header.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type * as AnthropicSdk from "@anthropic-ai/sdk";
import { AgentError } from "../../core/errors.ts";

type Sdk = typeof AnthropicSdk;

let sdk: Promise<Sdk> | undefined;

export function loadSdk(): Promise<Sdk> {
  sdk ??= import("@anthropic-ai/sdk").catch((error: unknown) => {
    sdk = undefined;
    throw new AgentError('the "anthropic" agent needs the @anthropic-ai/sdk package: npm install @anthropic-ai/sdk', { cause: error });
  });
  return sdk;
}

export interface ClientOptions {
  apiKey: string;
  baseUrl: string;
  maxRetries: number;
}

export async function createClient(options: ClientOptions): Promise<Anthropic> {
  const { Anthropic } = await loadSdk();
  return new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    maxRetries: options.maxRetries,
    // The SDK would print unparseable stream data (the user's conversation) to the console.
    logLevel: "off",
  });
}

/** A secret-free description of whatever the SDK threw. */
export async function toAgentError(error: unknown, baseUrl: string): Promise<AgentError> {
  if (error instanceof AgentError) return error;
  const { APIError, APIConnectionError, APIConnectionTimeoutError } = await loadSdk();
  const where = safeUrl(baseUrl);
  if (error instanceof APIConnectionTimeoutError) return new AgentError(`the Anthropic API at ${where} did not answer in time`);
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${describeCause(error.cause)}` : "";
    return new AgentError(`could not reach the Anthropic API at ${where}${cause}`);
  }
  if (error instanceof APIError) {
    const type = error.type ?? "unknown_error";
    const detail = error.apiMessage ? `: ${clip(error.apiMessage)}` : "";
    // Errors sent inside an open stream have no HTTP status.
    if (error.status === undefined) return new AgentError(`the Anthropic API reported ${type} mid-stream${detail}`);
    return new AgentError(`the Anthropic API at ${where} answered ${error.status} ${type}${detail}`);
  }
  if (error instanceof SyntaxError) return new AgentError("malformed stream from the Anthropic API: an event is not valid JSON");
  return new AgentError(`the Anthropic request failed: ${error instanceof Error ? clip(error.message) : "unknown error"}`);
}

function describeCause(cause: Error): string {
  // fetch wraps the socket error (ECONNREFUSED, ENOTFOUND) one level down.
  const inner = cause.cause;
  const code = typeof inner === "object" && inner !== null && "code" in inner ? String(inner.code) : undefined;
  return code ?? clip(cause.message);
}

/** Origin and path only: a URL with user:password@ must not leak into logs. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
