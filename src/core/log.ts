/**
 * Structured logging on pino: one JSON object per line on stderr (`level`, `t`, `msg`, fields).
 * Fields whose names look like secrets are masked, and secrets inside text scrubbed, here, in
 * the one place every log line passes through: pino's path-based redaction cannot match names
 * by pattern at any depth, so values are redacted before pino sees them.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import { REDACTED } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const levels: ReadonlySet<string> = new Set<LogLevel>(["debug", "info", "warn", "error"]);

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

/** Deeper than this, a value is dropped rather than logged unchecked. */
const MAX_DEPTH = 6;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (value === null || typeof value !== "object") return value;
  // Nothing past the depth limit is looked at, so nothing past it may be written either.
  if (depth > MAX_DEPTH) return "[too deep]";
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

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (one JSON object each, without the newline); stderr by default. */
  write?: (line: string) => void;
  /** Fields on every line. */
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const root = pino(
    {
      level: levelOf(options.level ?? process.env.SWITCHBOARD_LOG_LEVEL),
      // No pid or hostname on every line: the process supervisor knows those.
      base: null,
      messageKey: "msg",
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are already plain, redacted objects (redact() above); pino's own error serializer would add an empty stack.
      serializers: { err: (value: unknown) => value },
    },
    options.write ? lineWriter(options.write) : stderr(),
  );
  return wrap(root, options.base === undefined ? {} : (redact(options.base) as Record<string, unknown>));
}

/**
 * A child's fields are kept here and merged into each line, not handed to pino as bindings:
 * pino writes bindings before the message and repeats a key a line sets again, where a line
 * should read `msg` first and carry each field once (the line's own value winning).
 */
function wrap(logger: PinoLogger, bindings: Record<string, unknown>): Logger {
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    // Redacting costs a walk of the fields: skip it for lines that would be dropped anyway.
    if (!logger.isLevelEnabled(level)) return;
    logger[level]({ msg: scrub(msg), ...bindings, ...(fields === undefined ? {} : (redact(fields) as Record<string, unknown>)) });
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (fields) => wrap(logger, { ...bindings, ...(redact(fields) as Record<string, unknown>) }),
  };
}

/** An unknown level (a typo in SWITCHBOARD_LOG_LEVEL) logs at info rather than failing or going silent. */
function levelOf(level: string | undefined): LogLevel {
  return level !== undefined && levels.has(level) ? (level as LogLevel) : "info";
}

let stderrDestination: DestinationStream | undefined;

/**
 * One synchronous stderr destination for every logger of the process: a line is written before
 * the call returns, so nothing is lost when the process dies right after, and lines keep their
 * order with the CLI's own stderr output.
 */
function stderr(): DestinationStream {
  stderrDestination ??= pino.destination({ fd: 2, sync: true });
  return stderrDestination;
}

function lineWriter(write: (line: string) => void): DestinationStream {
  return { write: (chunk) => write(chunk.endsWith("\n") ? chunk.slice(0, -1) : chunk) };
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/**
 * The correlation id of a message on log lines: `messageKey` (`channel:eventId`, as events and
 * the API name it). A turn that merged several messages carries the first, and all of them.
 */
export function messageKeyFields(keys: readonly string[]): { messageKey?: string; messageKeys?: readonly string[] } {
  if (keys.length === 0) return {};
  return keys.length === 1 ? { messageKey: keys[0]! } : { messageKey: keys[0]!, messageKeys: keys };
}
