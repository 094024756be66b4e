/**
 * The official `openai` SDK, loaded only when an `openai` agent first runs, and the one place
 * where its failures become `AgentError`s: clear about what went wrong, free of keys and headers.
 */
import type OpenAI from "openai";
import type * as OpenAiSdk from "openai";
import { AgentError } from "../../core/errors.ts";
import { openaiDefaults, type OpenaiAgentConfig } from "./config.ts";
import { REDACTED } from "../../core/redact.ts";

type Sdk = typeof OpenAiSdk;

let loading: Promise<Sdk> | undefined;

export function loadSdk(): Promise<Sdk> {
  loading ??= import("openai").catch((error: unknown) => {
    loading = undefined;
    throw new AgentError('the "openai" package is missing: run `npm install openai` to use agents of kind openai', { cause: error });
  });
  return loading;
}

export async function createClient(config: OpenaiAgentConfig): Promise<OpenAI> {
  const { default: Client } = await loadSdk();
  return new Client({
    baseURL: config.baseUrl ?? openaiDefaults.baseUrl,
    // Local servers (Ollama, llama.cpp) need no key: send no Authorization header at all then.
    apiKey: config.apiKey || "none",
    defaultHeaders: { ...(config.apiKey ? {} : { Authorization: null }), ...config.headers },
    organization: null,
    project: null,
    maxRetries: config.maxRetries ?? openaiDefaults.maxRetries,
    // The SDK would print unparsable chunks (conversation text) to the console.
    logLevel: "off",
  });
}

/** An error from a model call, as an `AgentError` whose message is safe to log. */
export async function describeFailure(error: unknown, config: OpenaiAgentConfig): Promise<AgentError> {
  if (error instanceof AgentError) return error;
  const sdk = await loadSdk();
  const endpoint = endpointName(config);
  const secrets = [config.apiKey, ...Object.values(config.headers ?? {})].filter((s): s is string => !!s && s.length >= 4);
  const clean = (text: string) => redact(text, secrets).slice(0, 300);
  if (error instanceof sdk.APIConnectionTimeoutError) return new AgentError(`${endpoint} did not answer in time`, { cause: error });
  if (error instanceof sdk.APIConnectionError) {
    const cause = error.cause as { cause?: { code?: string }; code?: string } | undefined;
    const code = cause?.cause?.code ?? cause?.code;
    return new AgentError(`cannot reach ${endpoint}${code ? ` (${code})` : ""}`);
  }
  if (error instanceof sdk.APIError) {
    const detail = [error.type, error.code].filter((v) => typeof v === "string" && v !== "").join(", ");
    const what = error.status ? `answered HTTP ${error.status}` : "reported an error in its stream";
    const message = typeof error.error === "object" && error.error !== null && "message" in error.error ? String(error.error.message) : error.message;
    return new AgentError(`${endpoint} ${what}${detail ? ` (${detail})` : ""}: ${clean(message)}`);
  }
  if (error instanceof SyntaxError) return new AgentError(`malformed stream from ${endpoint}: a chunk is not valid JSON`);
  return new AgentError(`the request to ${endpoint} failed: ${clean(error instanceof Error ? error.message : String(error))}`);
}

/** The endpoint by host only: a base URL may carry credentials in its user info or query. */
function endpointName(config: OpenaiAgentConfig): string {
  try {
    return `the OpenAI-compatible endpoint ${new URL(config.baseUrl ?? openaiDefaults.baseUrl).host}`;
  } catch {
    return "the OpenAI-compatible endpoint";
  }
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
