/**
 * The Web API's shared answer shapes for the emulator's method handlers: a failure is
 * `{ok:false,error}` with HTTP 200 (details such as `response_metadata.messages` beside it).
 */

export type Args = Record<string, unknown>;
export type Result = Record<string, unknown>;
export type MethodSpec = { token: "bot" | "app"; handle(args: Args): Result };

/** A Web API error answer: `{ok:false,error}` with HTTP 200, optionally with details. */
export class SlackApiError extends Error {
  readonly extra: Result;
  constructor(error: string, extra: Result = {}) {
    super(error);
    this.extra = extra;
  }
}

export const fail = (error: string, extra?: Result): never => {
  throw new SlackApiError(error, extra);
};

export function requireArgs(args: Args, ...names: string[]): void {
  const missing = names.filter((n) => args[n] === undefined || args[n] === "");
  if (missing.length) fail("invalid_arguments", { response_metadata: { messages: missing.map((n) => `[ERROR] missing required field: ${n}`) } });
}

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined);
