/**
 * The config entry of an `openai` agent: any Chat Completions-compatible endpoint (OpenAI,
 * Ollama, vLLM, llama.cpp, OpenRouter). Defaults live in `openaiDefaults`, so the parsed entry
 * and a hand-written one have the same shape.
 */
import { z } from "zod";
import { numeric } from "../../config/coerce.ts";


export const openaiDefaults = {
  baseUrl: "https://api.openai.com/v1",
  contextBudget: 8000,
  maxToolRounds: 8,
  maxRetries: 2,
} as const;

export const openaiAgentSchema = z.strictObject({
  kind: z.literal("openai"),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({ description: `Base URL of the Chat Completions API, up to /v1 (default ${openaiDefaults.baseUrl}). E.g. http://localhost:11434/v1 for Ollama, https://openrouter.ai/api/v1.` }),
  model: z.string().min(1).optional().meta({ description: "Model name. Required unless channel or user settings provide one, which then wins." }),
  apiKey: z.string().optional().meta({ description: "API key, sent as a Bearer token; write ${OPENAI_API_KEY}. Local servers need none (empty means none)." }),
  system: z.string().optional().meta({ description: "System prompt, sent first in every request." }),
  temperature: numeric(z.number().min(0).max(2)).optional().meta({ description: "Sampling temperature, 0 to 2." }),
  maxTokens: numeric(z.number().int().min(1)).optional().meta({ description: "Upper bound on tokens generated per model call (max_tokens)." }),
  contextBudget: numeric(z.number().int().min(100))
    .optional()
    .meta({ description: `Tokens of conversation history sent (estimated at 4 characters each), including the system prompt and new message; the oldest turns are dropped first (default ${openaiDefaults.contextBudget}).` }),
  headers: z.record(z.string(), z.string()).optional().meta({ description: "Extra request headers, e.g. OpenRouter's HTTP-Referer and X-Title." }),
  delegates: z.array(z.string().min(1)).optional().meta({ description: "Ids of agents this agent may hand tasks to; each becomes a tool delegate_to_<id>." }),
  maxToolRounds: numeric(z.number().int().min(1).max(100))
    .optional()
    .meta({ description: `How many rounds of tool calls one turn may make before the model must answer (default ${openaiDefaults.maxToolRounds}).` }),
  maxRetries: numeric(z.number().int().min(0).max(10))
    .optional()
    .meta({ description: `Retries of a request that failed with 429, 5xx or a connection error, honouring Retry-After (default ${openaiDefaults.maxRetries}).` }),
  busy: z.enum(["queue", "collect", "interrupt"]).optional().meta({ description: "What to do with a message that arrives while this agent's session is busy." }),
  turnTimeout: z.union([z.string(), z.number()]).optional().meta({ description: "Longest a turn may run, e.g. 5m." }),
});

export type OpenaiAgentConfig = z.output<typeof openaiAgentSchema>;
