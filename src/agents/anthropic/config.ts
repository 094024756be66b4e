/**
 * The config entry of an `anthropic` agent: Claude through the Messages API. Defaults live in
 * `anthropicDefaults`, so the parsed entry and a hand-written one have the same shape.
 */
import { z } from "zod";
import { numeric } from "../../config/coerce.ts";


export const anthropicDefaults = {
  baseUrl: "https://api.anthropic.com",
  maxTokens: 1024,
  contextBudget: 8000,
  maxToolRounds: 8,
  maxRetries: 2,
} as const;

export const anthropicAgentSchema = z.strictObject({
  kind: z.literal("anthropic"),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({ description: `Base URL of the Anthropic API, without /v1 (default ${anthropicDefaults.baseUrl}).` }),
  model: z.string().min(1).optional().meta({ description: "Model name, e.g. claude-sonnet-4-6. Required unless channel or user settings provide one, which then wins." }),
  apiKey: z.string().min(1).meta({ description: "Anthropic API key; write ${ANTHROPIC_API_KEY}." }),
  system: z.string().optional().meta({ description: "System prompt sent with every request." }),
  temperature: numeric(z.number().min(0).max(1)).optional().meta({ description: "Sampling temperature, 0 to 1." }),
  maxTokens: numeric(z.number().int().min(1))
    .optional()
    .meta({ description: `Upper bound on tokens generated per model call; the API requires one (default ${anthropicDefaults.maxTokens}).` }),
  contextBudget: numeric(z.number().int().min(100))
    .optional()
    .meta({ description: `Tokens of conversation history sent (estimated at 4 characters each), including the system prompt and new message; the oldest turns are dropped first (default ${anthropicDefaults.contextBudget}).` }),
  delegates: z.array(z.string().min(1)).optional().meta({ description: "Ids of agents this agent may hand tasks to; each becomes a tool delegate_to_<id>." }),
  maxToolRounds: numeric(z.number().int().min(1).max(100))
    .optional()
    .meta({ description: `How many rounds of tool calls one turn may make before the model must answer (default ${anthropicDefaults.maxToolRounds}).` }),
  maxRetries: numeric(z.number().int().min(0).max(10))
    .optional()
    .meta({ description: `Retries of a request that failed with 429, 5xx, 529 (overloaded) or a connection error, honouring Retry-After (default ${anthropicDefaults.maxRetries}).` }),
  busy: z.enum(["queue", "collect", "interrupt"]).optional().meta({ description: "What to do with a message that arrives while this agent's session is busy." }),
  turnTimeout: z.union([z.string(), z.number()]).optional().meta({ description: "Longest a turn may run, e.g. 5m." }),
});

export type AnthropicAgentConfig = z.output<typeof anthropicAgentSchema>;
