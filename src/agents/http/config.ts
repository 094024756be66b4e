/**
 * Config of the `http` agent: a service of the user's own that speaks the Switchboard agent
 * protocol (docs/agents/http.md). Defaults are applied by `createHttpAgent`, so the same shape
 * serves switchboard.yaml and code.
 */
import { z } from "zod";
import { parseDuration } from "../../config/duration.ts";
import { boolean, integer } from "../../config/coerce.ts";

const positiveInteger = integer(1);
const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, { message: "is not a duration (use e.g. 500ms, 30s, 10m, or seconds)" });

export const httpAgentSchema = z.strictObject({
  kind: z.literal("http"),
  url: z.url({ protocol: /^https?$/ }).meta({ description: "The service's endpoint; each turn is one POST to it." }),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "is not a valid header name"), z.string().regex(/^[^\r\n\0]*$/, "must not contain line breaks"))
    .optional()
    .meta({ description: "Extra request headers, e.g. `Authorization: Bearer ${MY_AGENT_TOKEN}`." }),
  timeout: duration
    .optional()
    .meta({ description: "The longest the service may stay silent: before it answers, and between stream events. Unset: only the turn timeout applies." }),
  stream: boolean.optional().meta({ description: "Ask for an SSE stream (the service may still answer JSON). Default true." }),
  transcript: boolean.optional().meta({ description: "Send the session's earlier exchanges with each turn. Default true." }),
  contextBudget: positiveInteger
    .optional()
    .meta({ description: "Token budget of the transcript sent; the oldest exchanges are dropped first. Default 8000." }),
  busy: z.enum(["queue", "collect", "interrupt"]).optional().meta({ description: "What to do with a message while this agent is busy in its session." }),
  turnTimeout: z.union([z.string(), z.number()]).optional().meta({ description: "Cut a turn that runs longer than this." }),
});

export type HttpAgentConfig = z.output<typeof httpAgentSchema>;

export const httpAgentDefaults = { stream: true, transcript: true, contextBudget: 8000 } as const;
