/**
 * Structured logging: one JSON object per line on stderr. Fields whose names look like secrets
 * are masked here, in the one place every log line passes through.
 */
import { REDACTED } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const secretName = /(token|secret|password|passwd|apikey|api_key|authorization|private_?key|master_?key|channel_?key|credential)/i;

/** Secrets that turn up inside free text, such as an error message quoting a URL or a header. */
const secretInText: Array<[RegExp, string]> = [
  [/\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi, `$1$2${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  [/\b(xox[abprs]-|xapp-|sk-|sk-ant-|ghp_|gho_|ghs_|github_pat_|sbk_)[A-Za-z0-9_-]{6,}/g, REDACTED],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${REDACTED}@`],
];

export function scrub(text: string): string {
  let out = text;
  for (const [pattern, replacement] of secretInText) out = out.replace(pattern, replacement);
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    // The cause carries diagnostics (a CLI's stderr tail); it is scrubbed like everything else.
    return { name: value.name, message: scrub(value.message), ...(value.cause !== undefined ? { cause: redact(value.cause, depth + 1) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = secretName.test(k) && v !== undefined && v !== null ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; base?: Record<string, unknown> } = {},
): Logger {
  const min = order[options.level ?? (process.env.SWITCHBOARD_LOG_LEVEL as LogLevel | undefined) ?? "info"] ?? order.info;
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const base = options.base ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    write(JSON.stringify({ t: new Date().toISOString(), level, msg: scrub(msg), ...(redact({ ...base, ...fields }) as object) }));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
