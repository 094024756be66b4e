/**
 * The typed errors the gateway raises. Each carries a message meant for the person who has to
 * fix the problem, and an HTTP status where one applies.
 */

export class SwitchboardError extends Error {
  readonly status: number;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status ?? 500;
  }
}

/** Invalid configuration. `path` is the dotted config path, e.g. `channels.slack.botToken`. */
export class ConfigError extends SwitchboardError {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid config:\n  ${issues.join("\n  ")}`, { status: 400 });
    this.issues = issues;
  }
}

/** A caller's request is malformed or not allowed; the message is safe to return. */
export class RequestError extends SwitchboardError {
  constructor(status: number, message: string) {
    super(message, { status });
  }
}

/** A platform refused or failed a delivery. `retryAfterMs` honours the platform's Retry-After. */
export class DeliveryError extends SwitchboardError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number; cause?: unknown; status?: number }) {
    super(message, { status: options.status ?? 502, cause: options.cause });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class AgentError extends SwitchboardError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { status: 502, cause: options.cause });
  }
}
