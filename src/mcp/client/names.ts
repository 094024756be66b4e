/**
 * The names a model calls MCP tools by: `<server>__<tool>`, so two servers' `search` tools stay
 * apart and the model sees where a tool comes from. Names are cut to the model API's limits
 * (OpenAI: 64 characters of [a-zA-Z0-9_-]); a cut name keeps a short hash of the whole, so two
 * long names do not become one.
 */
import { createHash } from "node:crypto";

export function modelToolName(server: string, tool: string, maxLength: number): string {
  const whole = `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (whole.length <= maxLength) return whole;
  const hash = createHash("sha256").update(`${server}\u0000${tool}`).digest("hex").slice(0, 8);
  return `${whole.slice(0, maxLength - hash.length - 1)}_${hash}`;
}
