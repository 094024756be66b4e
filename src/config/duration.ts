/** Durations in config: a number of seconds, or a string such as `500ms`, `90s`, `10m`, `24h`, `7d`. */

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * units[match[2] ?? "s"]!);
}

/** Byte sizes: a number of bytes, or `512kb`, `1mb`. */
export function parseBytes(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(value);
  if (!match) return undefined;
  const scale = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? "b").toLowerCase() as "b" | "kb" | "mb"];
  return Number(match[1]) * scale;
}
