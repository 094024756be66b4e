/** What stands in for a secret wherever one would be shown: logs, errors, API answers, the CLI. */
export const REDACTED = "••••";
