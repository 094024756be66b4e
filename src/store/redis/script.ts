/**
 * Runs the backend's Lua scripts: EVALSHA, falling back to EVAL once when the server does not
 * have the script cached yet (a restart or SCRIPT FLUSH).
 */
import { createHash } from "node:crypto";
import type { RedisClient } from "./connect.ts";
import { PRELUDE } from "./scripts/prelude.ts";

export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

export function lua(name: string, body: string): LuaScript {
  const source = `${PRELUDE}\n${body}`;
  return { name, source, sha: createHash("sha1").update(source).digest("hex") };
}

/** ARGV[1] is always the prefix; `args` follow it. KEYS[1] is the seq counter (for routing). */
export async function runScript(redis: RedisClient, script: LuaScript, prefix: string, args: ReadonlyArray<string | number>): Promise<unknown> {
  const argv = [`${prefix}seq`, prefix, ...args.map(String)];
  try {
    return await redis.evalsha(script.sha, 1, ...argv);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return redis.eval(script.source, 1, ...argv);
  }
}
