/** The config entry of an `a2a` agent: a remote agent spoken to over the Agent2Agent protocol. */
import { z } from "zod";

export const a2aAgentSchema = z.strictObject({
  kind: z.literal("a2a"),
  url: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .meta({ description: "The remote agent's base URL; its agent card is read from <url>/.well-known/agent-card.json." }),
  cardUrl: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .optional()
    .meta({ description: "Where to read the agent card instead of <url>/.well-known/agent-card.json." }),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .meta({ description: "HTTP headers sent with every request, e.g. Authorization: Bearer ${A2A_TOKEN}." }),
  streaming: z
    .preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean())
    .optional()
    .meta({ description: "Stream replies (SendStreamingMessage) when the agent card declares capabilities.streaming; false always waits for the whole reply. Default true." }),
  busy: z.enum(["queue", "collect", "interrupt"]).optional().meta({ description: "What to do with a message while a turn runs." }),
  turnTimeout: z.union([z.string(), z.number()]).optional().meta({ description: "How long a turn may run, e.g. 2m." }),
});

export type A2aAgentConfig = z.output<typeof a2aAgentSchema>;
